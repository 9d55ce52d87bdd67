package dev.chatws.it;

import static dev.chatws.it.ConversationStoreIT.turn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonArray;
import dev.chatws.testing.Await;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Whole servers, started and stopped with Liberty's {@code server} command, running the built
 * WAR: the default store (an H2 file) keeps history across a server restart; with PostgreSQL
 * ({@code CHAT_TEST_DB_URL}, {@code CHAT_TEST_DB_USER}, {@code CHAT_TEST_DB_PASSWORD}, which
 * {@code .ci/run} sets after starting one) two servers share conversations, a server restart
 * keeps them, and two servers starting a turn of one conversation at once cannot fork its history.
 */
class NodesIT {

    @Test
    void theDefaultStoreKeepsHistoryAcrossAServerRestart() throws Exception {
        // The upstream API key from the environment, as operators set it; .ci/run greps the logs for it.
        String key = "sk-test-7f3a9c-from-the-environment";
        try (LibertyNode node = LibertyNode.create("chatws-node-h2", Map.of("CHAT_UPSTREAM_API_KEY", key))) {
            node.start();
            String id;
            try (ChatClient client = ChatClient.connect(node.base(), null)) {
                id = client.nextJson().getString("id");
                client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"remember 42\"}]}");
                List<String> frames = client.turn();
                assertTrue(frames.stream().noneMatch(frame -> frame.contains(key)), "the key is in no frame");
                assertEquals("chat.completion", ChatClient.json(frames.get(frames.size() - 1)).getString("object"));
            }
            node.stop();
            node.start();
            try (ChatClient again = ChatClient.connect(node.base(), "conversation=" + id)) {
                JsonArray messages = again.nextJson().getJsonArray("messages");
                assertEquals(2, messages.size(), messages.toString());
                assertEquals("remember 42", messages.getJsonObject(0).getString("content"));
                assertTrue(turn(again, "and now?").contains("turn 2"));
            }
        }
    }

    /** Two servers on one PostgreSQL database, started for the first test that needs them. */
    private static LibertyNode a;
    private static LibertyNode b;

    private static void startTwoNodes() throws Exception {
        Map<String, String> env = postgresql();
        if (a == null) {
            a = LibertyNode.create("chatws-node-a", env);
            b = LibertyNode.create("chatws-node-b", env);
            LibertyNode.startAll(a, b);
        }
    }

    @AfterAll
    static void stopNodes() throws Exception {
        LibertyNode.closeAll(a, b);
    }

    @Test
    void twoServersOnOnePostgresqlShareConversations() throws Exception {
        startTwoNodes();
        String id;
        try (ChatClient onA = ChatClient.connect(a.base(), null)) {
            id = onA.nextJson().getString("id");
            turn(onA, "one");
            turn(onA, "two");
        }
        try (ChatClient onB = ChatClient.connect(b.base(), "conversation=" + id)) {
            assertEquals(List.of("one", "two"), userContents(onB.nextJson()), "B has the history committed on A");
            assertTrue(turn(onB, "three").contains("turn 3"), "B's upstream got the whole history");
        }
        try (ChatClient backOnA = ChatClient.connect(a.base(), "conversation=" + id)) {
            assertEquals(List.of("one", "two", "three"), userContents(backOnA.nextJson()),
                    "A, which still held the conversation, caught up with B's turn");
        }
        a.stop();
        try (ChatClient onB = ChatClient.connect(b.base(), "conversation=" + id)) {
            assertEquals(List.of("one", "two", "three"), userContents(onB.nextJson()), "A stopped: B still has it all");
            turn(onB, "four");
        }
        a.start();
        try (ChatClient onA = ChatClient.connect(a.base(), "conversation=" + id)) {
            assertEquals(List.of("one", "two", "three", "four"), userContents(onA.nextJson()), "A restarted: the history is there");
        }
    }

    @Test
    void twoServersCommittingToOneConversationAtOnceCannotForkIt() throws Exception {
        startTwoNodes();
        String id;
        try (ChatClient onA = ChatClient.connect(a.base(), null)) {
            id = onA.nextJson().getString("id");
            turn(onA, "first");
            try (ChatClient onB = ChatClient.connect(b.base(), "conversation=" + id)) {
                onB.nextJson();
                // At once: each server starts its turn from the same history; one commit must lose.
                onA.send("{\"messages\":[{\"role\":\"user\",\"content\":\"from A\"}]}");
                onB.send("{\"messages\":[{\"role\":\"user\",\"content\":\"from B\"}]}");
                List<JsonObject> ends = List.of(ChatClient.json(ChatClient.last(onA.turn())), ChatClient.json(ChatClient.last(onB.turn())));
                assertEquals(1, ends.stream().filter(end -> "chat.completion".equals(end.getString("object", null))).count(), ends.toString());
                // The loser is refused as the winner claimed the turn first (turn_in_progress), or, had both claims missed
                // each other, its commit would fail (internal_error): either way nothing of it is committed.
                assertEquals(1, ends.stream().filter(end -> end.containsKey("error")
                        && List.of("turn_in_progress", "internal_error").contains(end.getJsonObject("error").getString("code"))).count(), ends.toString());
            }
        }
        List<String> onStore = userContents(firstFrame(a, id));
        assertEquals(2, onStore.size(), "one of the two turns, not both: " + onStore);
        assertTrue(Await.until(Duration.ofSeconds(20), () -> userContents(firstFrame(b, id)).equals(onStore)), "both servers have the same history");
    }

    @Test
    void aConversationErasedOnOneServerIsGoneOnTheOther() throws Exception {
        startTwoNodes();
        String id;
        try (ChatClient onA = ChatClient.connect(a.base(), null)) {
            id = onA.nextJson().getString("id");
            turn(onA, "erase me");
        }
        try (ChatClient onB = ChatClient.connect(b.base(), "conversation=" + id)) {
            onB.nextJson();
            assertEquals(204, ChatClient.http("DELETE", a.base().resolve("api/conversations/" + id), null, null).statusCode());
            assertEquals(4404, onB.awaitClose(), "B's socket is told at once (PostgreSQL's NOTIFY), not when B next reads the store");
        }
        assertFalse(ChatClient.reattachable(b.base(), id), "and B no longer serves it");
    }

    @Test
    void aTurnAndAnUpdateOnOneServerReachTheOthersSocketsAndItsNextTurn() throws Exception {
        startTwoNodes();
        try (ChatClient onA = ChatClient.connect(a.base(), null)) {
            String id = onA.nextJson().getString("id");
            turn(onA, "one");
            try (ChatClient onB = ChatClient.connect(b.base(), "conversation=" + id)) {
                onB.nextJson();
                onB.send("{\"messages\":[{\"role\":\"user\",\"content\":\"two\"}]}");
                List<String> onBTurn = onB.turn();
                assertEquals(onBTurn, onA.turn(), "A's socket got B's turn as B's socket did, unasked: every chunk, then the terminal frame");
                onA.send("{\"type\":\"conversation.get\"}");
                assertEquals(List.of("one", "two"), userContents(nextConversation(onA)), "and A holds it");
                assertTrue(turn(onA, "three").contains("turn 3"), "A's next turn sent the history with B's turn in it");
                assertEquals(200, ChatClient.http("PATCH", b.base().resolve("api/conversations/" + id), null, "{\"title\":\"From B\"}").statusCode());
                assertEquals("From B", nextConversation(onA).getString("title"), "A's socket got B's update");
            }
        }
    }

    @Test
    void afterADatabaseRestartTheServersHearEachOtherAgain() throws Exception {
        String ctl = System.getenv("CHAT_TEST_DB_CTL");
        Assumptions.assumeTrue(ctl != null && !ctl.isBlank(), "CHAT_TEST_DB_CTL names no command to restart PostgreSQL (.ci/run sets it)");
        startTwoNodes();
        String id;
        try (ChatClient onA = ChatClient.connect(a.base(), null)) {
            id = onA.nextJson().getString("id");
            turn(onA, "before the restart");
        }
        try (ChatClient onB = ChatClient.connect(b.base(), "conversation=" + id)) {
            onB.nextJson();
            StoreRestartIT.run(ctl, "restart");
            // A's pool finds its connections gone on first use; B's change feed reconnects by itself.
            assertTrue(Await.until(Duration.ofSeconds(30),
                    () -> ChatClient.http("DELETE", a.base().resolve("api/conversations/" + id), null, null).statusCode() == 204));
            assertEquals(4404, onB.awaitClose(), "B heard of the erasure over its new listening connection");
        }
    }

    /** The next conversation frame {@code client} gets, skipping anything else. */
    private static JsonObject nextConversation(ChatClient client) {
        for (;;) {
            JsonObject frame = client.nextJson();
            if ("conversation".equals(frame.getString("object", null))) {
                return frame;
            }
        }
    }

    /** The conversation frame a new socket on {@code node} gets for conversation {@code id}. */
    private static JsonObject firstFrame(LibertyNode node, String id) {
        try (ChatClient client = ChatClient.connect(node.base(), "conversation=" + id)) {
            return client.nextJson();
        }
    }

    static Map<String, String> postgresql() {
        String url = System.getenv("CHAT_TEST_DB_URL");
        Assumptions.assumeTrue(url != null && url.startsWith("jdbc:postgresql:"),
                "CHAT_TEST_DB_URL names no PostgreSQL database (.ci/run starts one and sets it)");
        Map<String, String> env = new HashMap<>();
        env.put("CHAT_DB_URL", url);
        env.put("CHAT_DB_USER", System.getenv().getOrDefault("CHAT_TEST_DB_USER", ""));
        env.put("CHAT_DB_PASSWORD", System.getenv().getOrDefault("CHAT_TEST_DB_PASSWORD", ""));
        // Every test of the build connects from one address, and servers on one database count a client's turns together.
        env.put("CHAT_LIMITS_TURNS_PER_MINUTE", "0");
        return env;
    }

    private static List<String> userContents(JsonObject conversation) {
        return conversation.getJsonArray("messages").stream()
                .map(message -> message.asJsonObject())
                .filter(message -> "user".equals(message.getString("role")))
                .map(message -> message.getString("content"))
                .toList();
    }
}
