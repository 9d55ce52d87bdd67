package dev.chatws.limits.control;

import dev.chatws.conversation.control.LeaseSql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The clients' use shared by the servers of one PostgreSQL store, in table {@code chat_client_use}:
 * a row per client and server with its turns of one minute (epoch minutes) and of the minute
 * before, and its tokens of one UTC day. Each server adds what it used since it last did, then
 * reads the others' sums for the clients it knows: two statements every few seconds for all
 * clients, none per turn. Stateless.
 */
final class SharedUse {

    private static final String ADD = """
            insert into chat_client_use (client, server, minute, turns, day, tokens) values (?, ?, ?, ?, ?, ?)
            on conflict (client, server) do update set
              turns = case when chat_client_use.minute = excluded.minute then chat_client_use.turns + excluded.turns else excluded.turns end,
              prev_turns = case when chat_client_use.minute = excluded.minute then chat_client_use.prev_turns
                when chat_client_use.minute = excluded.minute - 1 then chat_client_use.turns else 0 end,
              tokens = case when chat_client_use.day = excluded.day then chat_client_use.tokens + excluded.tokens else excluded.tokens end,
              minute = excluded.minute, day = excluded.day""";
    private static final String OTHERS = """
            select client, sum(case when minute = ? then turns else 0 end), sum(case when day = ? then tokens else 0 end),
              sum(case when minute = ? then prev_turns when minute = ? then turns else 0 end)
            from chat_client_use where server <> ? and client = any(?) group by client""";

    private SharedUse() {
    }

    /** Adds {@code used} ({@code {turns, tokens}} by client) of {@code server} in {@code minute} and {@code day}. */
    static void add(Connection connection, String server, long minute, String day, Map<String, long[]> used) throws SQLException {
        if (used.isEmpty()) {
            return;
        }
        try (PreparedStatement add = connection.prepareStatement(ADD)) {
            for (Map.Entry<String, long[]> client : used.entrySet()) {
                add.setString(1, client.getKey());
                add.setString(2, server);
                add.setLong(3, minute);
                add.setLong(4, client.getValue()[0]);
                add.setString(5, day);
                add.setLong(6, client.getValue()[1]);
                add.addBatch();
            }
            add.executeBatch();
        }
    }

    /**
     * What servers other than {@code server} used of {@code clients}' budgets, by client:
     * {@code {turns in minute, tokens on day, turns in the minute before}}.
     */
    static Map<String, long[]> others(Connection connection, String server, long minute, String day, Set<String> clients) throws SQLException {
        Map<String, long[]> used = new HashMap<>();
        if (clients.isEmpty()) {
            return used;
        }
        try (PreparedStatement others = connection.prepareStatement(OTHERS)) {
            others.setLong(1, minute);
            others.setString(2, day);
            others.setLong(3, minute);
            others.setLong(4, minute - 1);
            others.setString(5, server);
            others.setArray(6, connection.createArrayOf("varchar", clients.toArray()));
            try (ResultSet rows = others.executeQuery()) {
                while (rows.next()) {
                    used.put(rows.getString(1), new long[] {rows.getLong(2), rows.getLong(3), rows.getLong(4)});
                }
            }
        }
        return used;
    }

    /** Forgets the rows of days before {@code day} whose minute is long past. */
    static void forgetOld(Connection connection, long minute, String day) throws SQLException {
        LeaseSql.update(connection, "delete from chat_client_use where day < ? and minute < ?", day, minute - 1);
    }
}
