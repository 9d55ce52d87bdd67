package dev.chatws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The conversation store's database restarted or down during a turn, on a real PostgreSQL
 * ({@code CHAT_TEST_DB_URL} …, and {@code CHAT_TEST_DB_CTL}, the command that starts, stops and
 * restarts it, e.g. {@code pg_ctlcluster 15 main}; {@code .ci/run} sets both). A commit on a
 * connection the database dropped is retried once on a fresh one; a database that is down ends
 * the turn with one terminal {@code internal_error}; the first turn after it is back works.
 */
class StoreRestartIT {

    @Test
    void aDatabaseRestartedMidTurnLosesNothingAndADatabaseDownEndsTheTurnWithOneTerminalFrame() throws Exception {
        String ctl = System.getenv("CHAT_TEST_DB_CTL");
        Assumptions.assumeTrue(ctl != null && !ctl.isBlank(), "CHAT_TEST_DB_CTL names no command to restart PostgreSQL (.ci/run sets it)");
        Map<String, String> env = new java.util.HashMap<>(NodesIT.postgresql());
        // About 5 s per simulated reply: a restart fits inside one turn.
        env.put("CHAT_SIMULATOR_TOKENS_PER_SECOND", "5");
        env.put("CHAT_SIMULATOR_FIRST_TOKEN_DELAY", "0");
        try (LibertyNode node = LibertyNode.create("chatws-node-pg-restart", env)) {
            node.start();
            try (ChatClient client = ChatClient.connect(node.base(), null)) {
                assertEquals("conversation", client.nextJson().getString("object"));

                client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"through a restart\"}]}");
                assertEquals("chat.completion.chunk", client.nextJson().getString("object"), "the turn is streaming");
                run(ctl, "restart");
                List<String> rest = client.turn();
                assertEquals("chat.completion", ChatClient.json(rest.get(rest.size() - 1)).getString("object"),
                        "committed on a fresh connection after the database restarted");
                assertEquals(2, history(client), "the turn is in the history");

                run(ctl, "stop");
                try {
                    client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"while it is down\"}]}");
                    List<String> frames = client.turn();
                    JsonObject terminal = ChatClient.json(frames.get(frames.size() - 1));
                    assertEquals("internal_error", terminal.getJsonObject("error").getString("code"), "one terminal frame: the turn was not saved");
                    assertEquals(true, client.quietFor(500), "nothing follows the terminal frame");
                } finally {
                    run(ctl, "start");
                }
                assertEquals(2, history(client), "nothing of the failed turn is kept");
                client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"and now?\"}]}");
                List<String> after = client.turn();
                assertEquals("chat.completion", ChatClient.json(after.get(after.size() - 1)).getString("object"), "the first turn after the database is back");
                assertEquals(4, history(client));
            }
        }
    }

    private static int history(ChatClient client) {
        client.send("{\"type\":\"conversation.get\"}");
        return client.nextJson().getJsonArray("messages").size();
    }

    /** Runs {@code ctl action} (the command that starts, stops and restarts PostgreSQL). */
    static void run(String ctl, String action) throws Exception {
        Process process = new ProcessBuilder((ctl + " " + action).trim().split("\\s+")).inheritIO().start();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new AssertionError(ctl + " " + action + " failed");
        }
    }
}
