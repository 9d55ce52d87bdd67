package dev.chatws.conversation.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * The SQL of what servers on one store share besides histories — the turn ledger
 * ({@link TurnLeases}, {@link LeaseWrites}, {@link TurnRecovery}) and the clients' limits — on the
 * store's own connections: one transaction per {@link #run}, the tables {@code chat_turn},
 * {@code chat_turn_frame} and {@code chat_client_use} made as the store connects ({@link StoreSchema}). PostgreSQL only. Application-scoped and
 * thread-safe; every call blocks on the database.
 */
@ApplicationScoped
public class LeaseSql {

    /** The tables, made with the store's other tables ({@link StoreSchema}) before any of this runs. */
    static final List<String> TABLES = List.of("""
            create table if not exists chat_turn (conversation_id varchar(255) primary key, turn_id varchar(64) not null unique,
              server varchar(64) not null, kind varchar(16) not null, lease_until_ms bigint not null,
              watched_until_ms bigint not null default 0, record text not null)""", """
            create unlogged table if not exists chat_turn_frame (turn_id varchar(64) not null, seq integer not null, body text not null,
              last boolean not null, written_ms bigint not null, primary key (turn_id, seq))""", """
            create table if not exists chat_client_use (client varchar(255) not null, server varchar(64) not null,
              minute bigint not null, turns bigint not null, day varchar(10) not null, tokens bigint not null, primary key (client, server))""",
            "alter table chat_client_use add column if not exists prev_turns bigint not null default 0");

    @Inject
    ConversationStore store;

    /** Work on one JDBC connection of the store's, in one transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T on(Connection connection) throws SQLException;
    }

    /** Runs {@code work} in a transaction of its own; a failure is a {@link StoreException}. */
    public <T> T run(Work<T> work) {
        return store.inTransaction(em -> {
            try {
                return work.on(em.unwrap(Connection.class));
            } catch (SQLException e) {
                throw new IllegalStateException("SQL failed: " + e.getSQLState(), e);
            }
        });
    }

    public static int update(Connection connection, String sql, Object... values) throws SQLException {
        try (PreparedStatement statement = prepare(connection, sql, values)) {
            return statement.executeUpdate();
        }
    }

    /** The rows of {@code sql}; closing the result set closes its statement. */
    public static ResultSet query(Connection connection, String sql, Object... values) throws SQLException {
        PreparedStatement statement = prepare(connection, sql, values);
        statement.closeOnCompletion();
        return statement.executeQuery();
    }

    private static PreparedStatement prepare(Connection connection, String sql, Object... values) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        for (int i = 0; i < values.length; i++) {
            statement.setObject(i + 1, values[i]);
        }
        return statement;
    }
}
