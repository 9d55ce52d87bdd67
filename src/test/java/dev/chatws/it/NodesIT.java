package dev.chatws.it;

import static dev.chatws.it.ConversationStoreIT.turn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * keeps them, and two servers committing to one conversation at once cannot fork its history.
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
            a.start();
            b.start();
        }
    }

    @AfterAll
    static void stopNodes() throws Exception {
        if (a != null) {
            a.close();
            b.close();
        }
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
        try (ChatClient onA = ChatClient.connect(a.base(), null)) {
            String id = onA.nextJson().getString("id");
            turn(onA, "first");
            try (ChatClient onB = ChatClient.connect(b.base(), "conversation=" + id)) {
                onB.nextJson();
                turn(onA, "from A");
                onB.send("{\"messages\":[{\"role\":\"user\",\"content\":\"from B\"}]}");
                List<String> frames = onB.turn();
                JsonObject error = ChatClient.json(frames.get(frames.size() - 1)).getJsonObject("error");
                assertEquals("internal_error", error.getString("code"), frames.toString());
                onB.send("{\"type\":\"conversation.get\"}");
                assertEquals(List.of("first", "from A"), userContents(onB.nextJson()), "B took A's turn, not its own");
                assertTrue(turn(onB, "from B again").contains("turn 3"));
            }
            onA.send("{\"type\":\"conversation.get\"}");
            assertEquals(List.of("first", "from A"), userContents(onA.nextJson()),
                    "A's memory is as it was; it catches up when it next has no socket attached");
        }
    }

    @Test
    void aConversationErasedOnOneServerIsGoneOnTheOther() throws Exception {
        startTwoNodes();
        String id;
        try (ChatClient onA = ChatClient.connect(a.base(), null)) {
            id = onA.nextJson().getString("id");
            turn(onA, "erase me");
        }
        assertTrue(ChatClient.reattachable(b.base(), id), "B loaded it, and keeps it in memory for a while");
        HttpResponse<Void> deleted = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(a.base().resolve("api/conversations/" + id)).DELETE().build(),
                HttpResponse.BodyHandlers.discarding());
        assertEquals(204, deleted.statusCode());
        assertFalse(ChatClient.reattachable(b.base(), id), "B checks the store before serving its copy: 4404");
    }

    static Map<String, String> postgresql() {
        String url = System.getenv("CHAT_TEST_DB_URL");
        Assumptions.assumeTrue(url != null && url.startsWith("jdbc:postgresql:"),
                "CHAT_TEST_DB_URL names no PostgreSQL database (.ci/run starts one and sets it)");
        Map<String, String> env = new HashMap<>();
        env.put("CHAT_DB_URL", url);
        env.put("CHAT_DB_USER", System.getenv().getOrDefault("CHAT_TEST_DB_USER", ""));
        env.put("CHAT_DB_PASSWORD", System.getenv().getOrDefault("CHAT_TEST_DB_PASSWORD", ""));
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
