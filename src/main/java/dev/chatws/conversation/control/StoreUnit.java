package dev.chatws.conversation.control;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How the store's persistence unit ({@code META-INF/chat-ws-persistence.xml}) is opened: the JDBC
 * URL and credentials from MicroProfile Config ({@code chat.db.*}), the driver where the WAR
 * carries it, and a connection pool that keeps its connections. Stateless.
 */
final class StoreUnit {

    private StoreUnit() {
    }

    /** The properties that open the unit on {@code url} with a pool of {@code maxConnections}. */
    static Map<String, Object> properties(String url, Optional<String> user, Optional<String> password, int maxConnections) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("eclipselink.persistencexml", "META-INF/chat-ws-persistence.xml");
        properties.put("jakarta.persistence.jdbc.url", url);
        driverOf(url).ifPresent(driver -> properties.put("jakarta.persistence.jdbc.driver", driver));
        user.ifPresent(value -> properties.put("jakarta.persistence.jdbc.user", value));
        password.ifPresent(value -> properties.put("jakarta.persistence.jdbc.password", value));
        // EclipseLink closes a connection given back while "min" are idle: with min below max, busy
        // moments opened and closed a connection (and lost its statement cache) per transaction.
        properties.put("eclipselink.connection-pool.default.initial", "1");
        properties.put("eclipselink.connection-pool.default.min", Integer.toString(maxConnections));
        properties.put("eclipselink.connection-pool.default.max", Integer.toString(maxConnections));
        return properties;
    }

    /** The driver class of the JDBC drivers the WAR carries; others are found by the JDBC URL alone. */
    static Optional<String> driverOf(String url) {
        if (url.startsWith("jdbc:h2:")) {
            return Optional.of("org.h2.Driver");
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return Optional.of("org.postgresql.Driver");
        }
        return Optional.empty();
    }
}
