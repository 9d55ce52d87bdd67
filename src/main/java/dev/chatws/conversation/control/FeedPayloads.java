package dev.chatws.conversation.control;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * The words of {@link ChangeFeed}'s notifications on channel {@code chat_changes}, and its
 * listening connection. A change: {@code "c <server> <id> <id> …"}, at most
 * {@value ChangeFeed#MAX_PAYLOAD} bytes; a turn signal: {@code "<kind> <server> <conversation>
 * <turn> <to> <extra>"} ({@link ChangeFeed.TurnSignal}). Stateless.
 */
final class FeedPayloads {

    private static final Logger LOG = Logger.getLogger(FeedPayloads.class.getName());

    private FeedPayloads() {
    }

    /** {@code ids} (each once) as change payloads of {@code server}, each at most {@link ChangeFeed#MAX_PAYLOAD} bytes. */
    static List<String> payloads(String server, List<String> ids) {
        List<String> payloads = new ArrayList<>();
        StringBuilder payload = new StringBuilder("c ").append(server);
        for (String id : new LinkedHashSet<>(ids)) {
            if (payload.length() + 1 + id.length() > ChangeFeed.MAX_PAYLOAD) {
                payloads.add(payload.toString());
                payload = new StringBuilder("c ").append(server);
            }
            payload.append(' ').append(id);
        }
        payloads.add(payload.toString());
        return payloads;
    }

    /** The conversations another server than {@code self} says it changed; none for anything else. */
    static List<String> changes(String payload, String self) {
        String[] words = payload.split(" ");
        if (words.length < 3 || !"c".equals(words[0]) || self.equals(words[1])) {
            return List.of();
        }
        return List.of(words).subList(2, words.length);
    }

    /** The turn signal of another server than {@code self}, to every server or to {@code self}; empty for anything else. */
    static Optional<ChangeFeed.TurnSignal> signal(String payload, String self) {
        String[] words = payload.split(" ");
        if (words.length != 6 || words[0].length() != 1 || !"twfx".contains(words[0]) || self.equals(words[1])
                || !("-".equals(words[4]) || self.equals(words[4]))) {
            return Optional.empty();
        }
        return Optional.of(new ChangeFeed.TurnSignal(words[0], words[1], words[2], words[3], words[4], words[5]));
    }

    /** A listening connection of its own (not from the pool), autocommitting, with TCP keep-alive. */
    static Connection connect(String url, Optional<String> user, Optional<String> password) throws SQLException {
        Properties properties = new Properties();
        user.ifPresent(value -> properties.setProperty("user", value));
        password.ifPresent(value -> properties.setProperty("password", value));
        // The server notices a dead peer within about a minute even while nothing is notified.
        properties.setProperty("tcpKeepAlive", "true");
        Connection connection = new org.postgresql.Driver().connect(url, properties);
        if (connection == null) {
            throw new SQLException("not a PostgreSQL URL");
        }
        connection.setAutoCommit(true);
        return connection;
    }

    static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.fine("closing the change feed's connection: " + e.getClass().getSimpleName());
            }
        }
    }
}
