package dev.chatws.conversation.control;

import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * Opens the store's persistence unit and makes the tables it lacks, one server at a time: the
 * entities' tables (EclipseLink's {@code create-or-extend-tables}, as the unit deploys), then on
 * PostgreSQL the tables servers share besides histories ({@link LeaseSql#TABLES}).
 *
 * <p>Servers that start at once on an empty PostgreSQL database would otherwise create the same
 * tables at the same moment, and all but one would fail: {@code create table if not exists} is not
 * safe against itself there (a duplicate key in {@code pg_type}; three connections at once failed
 * twice in every one of 40 tries). So on PostgreSQL the work runs while this server holds the
 * session advisory lock ({@value #LOCK_CLASS}, {@code hashtext(current_schema())}) on a connection
 * of its own, waiting at most {@value #LOCK_WAIT} for it; servers on other schemas do not wait for
 * each other. Stateless; each call blocks on the database.
 */
final class StoreSchema {

    /** The advisory lock's first key, the same on every server and version ("cw" in ASCII). */
    static final int LOCK_CLASS = 0x6377;

    /** How long a server waits for another one making the tables (PostgreSQL's {@code lock_timeout}). */
    static final String LOCK_WAIT = "60s";

    private StoreSchema() {
    }

    /**
     * The unit on {@code url}, deployed, with every table the store needs; nothing is left open
     * if it fails (a database that does not answer, a lock not granted in time).
     */
    static EntityManagerFactory open(String url, Optional<String> user, Optional<String> password, int maxConnections) {
        EntityManagerFactory factory = Persistence.createEntityManagerFactory("chat-ws",
                StoreUnit.properties(url, user, password, maxConnections));
        try {
            if (url.startsWith("jdbc:postgresql:")) {
                makeTablesExclusively(factory, url, user, password);
            } else {
                // The first entity manager deploys the unit, which makes the entities' tables.
                factory.createEntityManager().close();
            }
            return factory;
        } catch (RuntimeException e) {
            factory.close();
            throw e;
        }
    }

    private static void makeTablesExclusively(EntityManagerFactory factory, String url, Optional<String> user, Optional<String> password) {
        try (Connection connection = FeedPayloads.connect(url, user, password)) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("set lock_timeout = '" + LOCK_WAIT + "'");
            }
            try (PreparedStatement lock = connection.prepareStatement("select pg_advisory_lock(?, hashtext(coalesce(current_schema(), '')))")) {
                lock.setInt(1, LOCK_CLASS);
                lock.execute();
            }
            // Deploying the unit makes the entities' tables, on connections of the unit's pool.
            factory.createEntityManager().close();
            try (Statement statement = connection.createStatement()) {
                for (String ddl : LeaseSql.TABLES) {
                    statement.execute(ddl);
                }
            }
            // Closing the connection gives the lock back (as the database does if this server dies).
        } catch (SQLException e) {
            throw new IllegalStateException("Making the store's tables failed: SQL state " + e.getSQLState(), e);
        }
    }
}
