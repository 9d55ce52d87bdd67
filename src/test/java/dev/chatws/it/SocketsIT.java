package dev.chatws.it;

import static dev.chatws.it.ChatClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chatws.fake.FakeUpstream;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Several sockets on one conversation, sockets that drop and reattach within the grace, slow readers, and many turns at once. A real WebSocket client
 * against the built WAR on Liberty, whose upstream is the scripted fake (dev.chatws.fake).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class SocketsIT {

    private static final String KEY = "sk-test-7f3a9c-never-shown";

    @ArquillianResource
    URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.withFakeUpstream("chat-it", KEY);
    }

    @Test
    void aClientThatStopsReadingIsClosedWith1008ItsTurnCancelledAndOthersUnaffected() throws Exception {
        try (ChatClient slow = ChatClient.open(ChatClient.uri(base)); ChatClient other = ChatClient.open(ChatClient.uri(base))) {
            slow.pauseReading();
            slow.send("{\"messages\":[{\"role\":\"user\",\"content\":\"flood me\"}],\"x_script\":\"flood\",\"x_key\":\"flood\"}");
            assertTrue(FakeUpstream.awaitHungUp("flood", 5000), "within chat.write-timeout (1 s) and its check, the turn is cancelled and the upstream hung up on");
            other.send("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"x_script\":\"text\"}");
            assertEquals("chat.completion", json(ChatClient.last(other.turn())).getString("object"), "another socket is served meanwhile");
            slow.resumeReading();
            assertEquals(1008, slow.awaitClose());
        }
    }

    @Test
    void everySocketOfAConversationGetsEveryFrameAndAnyOfThemMayCancel() throws Exception {
        try (ChatClient first = ChatClient.connect(ChatClient.uri(base), null)) {
            String id = first.nextJson().getString("id");
            first.send("{\"messages\":[{\"role\":\"user\",\"content\":\"long\"}],\"x_script\":\"slow\",\"x_key\":\"two\"}");
            List<String> seenByFirst = new java.util.ArrayList<>(List.of(first.next(), first.next()));
            try (ChatClient second = ChatClient.connect(ChatClient.uri(base), "conversation=" + id)) {
                JsonObject conversation = second.nextJson();
                assertEquals(id, conversation.getString("id"));
                assertEquals(0, conversation.getJsonArray("messages").size(), "nothing committed yet");
                List<String> seenBySecond = new java.util.ArrayList<>();
                while (seenBySecond.size() < seenByFirst.size() + 2) {
                    seenBySecond.add(second.next());
                }
                while (seenByFirst.size() < seenBySecond.size()) {
                    seenByFirst.add(first.next());
                }
                assertEquals(seenByFirst, seenBySecond, "the reattached socket got the turn so far, then live, once each");
                second.send("{\"type\":\"response.cancel\"}");
                List<String> restOfFirst = first.turn();
                List<String> restOfSecond = second.turn();
                assertEquals(restOfFirst, restOfSecond);
                assertEquals("cancelled", json(restOfFirst.get(restOfFirst.size() - 1))
                        .getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
            }
        }
    }

    @Test
    void aTurnWhoseLastSocketDroppedRunsOnForTheGraceThenIsCancelledKeepingWhatWasShown() throws Exception {
        String id;
        try (ChatClient client = ChatClient.connect(ChatClient.uri(base), null)) {
            id = client.nextJson().getString("id");
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"long\"}],\"x_script\":\"slow\",\"x_key\":\"drop\"}");
            client.next();
        }
        long dropped = System.nanoTime();
        assertTrue(FakeUpstream.awaitHungUp("drop", 2500), "cancelled once the 1 s grace is over");
        long after = (System.nanoTime() - dropped) / 1_000_000;
        assertTrue(after >= 900, "the turn ran on through the grace: hung up after " + after + " ms");
        try (ChatClient again = ChatClient.connect(ChatClient.uri(base), "conversation=" + id)) {
            JsonArray history = again.nextJson().getJsonArray("messages");
            assertEquals("long", history.getJsonObject(0).getString("content"));
            assertEquals("assistant", history.getJsonObject(1).getString("role"));
            assertTrue(history.getJsonObject(1).getString("content").startsWith("s0 s1 "), history.toString());
        }
    }

    @Test
    void aSocketThatReattachesWithinTheGraceGetsTheWholeTurnEachChunkOnceInOrder() throws Exception {
        String id;
        try (ChatClient client = ChatClient.connect(ChatClient.uri(base), null)) {
            id = client.nextJson().getString("id");
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"long\"}],\"x_script\":\"slow\",\"x_key\":\"reattach\"}");
            client.next();
            client.next();
        }
        try (ChatClient again = ChatClient.connect(ChatClient.uri(base), "conversation=" + id)) {
            assertEquals(id, again.nextJson().getString("id"));
            StringBuilder shown = new StringBuilder();
            for (int i = 0; i < 30; i++) {
                String content = again.nextJson().getJsonArray("choices").getJsonObject(0).getJsonObject("delta").getString("content");
                assertEquals("s" + i + " ", content, "chunk " + i + ": replayed, then live, each once and in order");
                shown.append(content);
            }
            assertEquals("no", (FakeUpstream.hungUp("reattach") ? "yes" : "no"), "the turn was not cancelled");
            again.send("{\"type\":\"response.cancel\"}");
            List<String> rest = again.turn();
            for (String frame : rest.subList(0, rest.size() - 1)) {
                shown.append(json(frame).getJsonArray("choices").getJsonObject(0).getJsonObject("delta").getString("content"));
            }
            JsonObject completion = json(ChatClient.last(rest));
            assertEquals(shown.toString(), completion.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"));
        }
    }

    /**
     * Also: clients that close in the middle of streaming are let go, however their close meets
     * a write in progress. (With Liberty's blocking sendText, most of these 80 sockets were never
     * closed: no grace, no cancel, the upstream streamed on, and the server could not stop.)
     */
    @Test
    void moreConcurrentTurnsThanTheHttpClientsDefaultPoolAllStreamAtOnceAndClosingMidStreamLetsThemGo() throws Exception {
        int turns = 80;
        List<ChatClient> clients = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < turns; i++) {
                ChatClient client = ChatClient.open(ChatClient.uri(base));
                client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"long\"}],\"x_script\":\"slow\",\"x_key\":\"pool" + i + "\"}");
                clients.add(client);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            for (ChatClient client : clients) {
                String first = client.next(Duration.ofNanos(deadline - System.nanoTime()));
                assertEquals("chat.completion.chunk", json(first).getString("object"),
                        "every turn streams while the others are still streaming (the slow script runs 30 s)");
            }
        } finally {
            clients.forEach(ChatClient::close);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        List<Integer> streaming = new java.util.ArrayList<>();
        for (int i = 0; i < turns; i++) {
            if (!FakeUpstream.awaitHungUp("pool" + i, Math.max(0, (deadline - System.nanoTime()) / 1_000_000))) {
                streaming.add(i);
            }
        }
        assertEquals(List.of(), streaming, "turns whose closed socket was never let go (grace 1 s) still stream from the upstream");
    }
}
