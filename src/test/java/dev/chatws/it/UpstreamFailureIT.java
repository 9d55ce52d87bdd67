package dev.chatws.it;

import static dev.chatws.it.ChatClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chatws.fake.FakeUpstream;
import jakarta.json.JsonObject;
import java.net.URL;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An upstream that fails: error statuses, retries, cut streams, error events, silence and keep-alive comments. Each ends the turn with one error frame and commits nothing. A real WebSocket client
 * against the built WAR on Liberty, whose upstream is the scripted fake (dev.chatws.fake).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class UpstreamFailureIT {

    private static final String KEY = "sk-test-7f3a9c-never-shown";

    @ArquillianResource
    URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.withFakeUpstream("chat-it", KEY);
    }

    @Test
    void anUpstreamErrorStatusEndsTheTurnWithItsStatusAndCommitsNothing() throws Exception {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            for (int status : new int[] {500, 429, 401}) {
                client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"x_script\":\"status" + status
                        + "\",\"x_key\":\"status-" + status + "\"}");
                List<String> turn = client.turn();
                assertEquals(1, turn.size());
                JsonObject error = json(turn.get(0)).getJsonObject("error");
                assertEquals("upstream_error", error.getString("code"));
                assertEquals(status, error.getInt("status"));
                assertFalse(turn.get(0).contains("SECRET") || turn.get(0).contains("sk-live"), "no upstream body reaches the client");
                assertEquals(status == 401 ? "1" : "3", String.valueOf(FakeUpstream.attempts("status-" + status)),
                        "retried twice on 500 and 429, never on 401");
            }
            assertEquals(0, client.history().size());
        }
    }

    @Test
    void a429WithRetryAfterInSecondsIsRetriedAfterThatLongAndTheClientSeesOneCleanTurn() throws Exception {
        assertRetriedOnce("retry429", 1000);
    }

    @Test
    void a503WithRetryAfterAsAnHttpDateIsRetried() throws Exception {
        // The date has whole seconds, so the wait is up to 1 s; RetryPolicyTest checks it exactly.
        assertRetriedOnce("retry503date", 0);
    }

    private void assertRetriedOnce(String script, long atLeastMillis) throws Exception {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            long start = System.nanoTime();
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"x_script\":\"" + script + "\",\"x_key\":\"" + script + "\"}");
            List<String> turn = client.turn();
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertEquals(FakeUpstream.TEXT, turn.subList(0, turn.size() - 1), "the failed attempt left no trace");
            assertEquals("chat.completion", json(ChatClient.last(turn)).getString("object"));
            assertEquals("2", String.valueOf(FakeUpstream.attempts(script)));
            assertTrue(waited >= atLeastMillis, "waited as the upstream asked: " + waited + " ms");
        }
    }

    @Test
    void aStreamCutBeforeTheEndIsAnUpstreamErrorAndCommitsNothing() {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"x_script\":\"cut\"}");
            List<String> turn = client.turn();
            assertEquals(FakeUpstream.TEXT.subList(0, 3), turn.subList(0, 3));
            JsonObject error = json(turn.get(3)).getJsonObject("error");
            assertEquals("upstream_error", error.getString("code"));
            assertFalse(error.containsKey("status"));
            assertEquals(0, client.history().size());
        }
    }

    @Test
    void aStreamThatEndsWithAFinishReasonButNoDoneIsComplete() {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"x_script\":\"finish_without_done\"}");
            JsonObject completion = json(ChatClient.last(client.turn()));
            assertEquals("stop", completion.getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
            assertEquals(2, client.history().size());
        }
    }

    @Test
    void anErrorEventIsNotRelayedAndEndsTheTurn() {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"x_script\":\"error_event\"}");
            List<String> turn = client.turn();
            assertEquals(2, turn.size());
            assertEquals(FakeUpstream.TEXT.get(0), turn.get(0));
            JsonObject error = json(turn.get(1)).getJsonObject("error");
            assertEquals("upstream_error", error.getString("code"));
            assertTrue(error.getString("message").contains("overloaded"));
            assertEquals(0, client.history().size());
        }
    }

    @Test
    void anUpstreamThatGoesSilentEndsTheTurnWithUpstreamTimeout() {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"x_script\":\"stall\"}");
            List<String> turn = client.turn();
            assertEquals(List.of(FakeUpstream.TEXT.get(0)), turn.subList(0, 1));
            assertEquals("upstream_timeout", json(turn.get(1)).getJsonObject("error").getString("code"));
            assertEquals(0, client.history().size());
        }
    }

    @Test
    void keepAliveCommentsAreNoFirstChunkTheTurnTimesOutAndTheUpstreamIsHungUpOn() throws Exception {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            long start = System.nanoTime();
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"x_script\":\"silent\",\"x_key\":\"silent\"}");
            JsonObject error = client.nextJson().getJsonObject("error");
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertEquals("upstream_timeout", error.getString("code"));
            assertTrue(error.getString("message").contains("first-chunk-timeout"), error.getString("message"));
            assertTrue(waited >= 1900 && waited < 4000, "ended by the 2 s first-chunk timeout, after " + waited + " ms");
            assertTrue(FakeUpstream.awaitHungUp("silent", 1000), "the upstream sees its connection closed");
            assertEquals(0, client.history().size());
        }
    }

    @Test
    void keepAliveCommentsDoNotResetTheIdleTimeout() throws Exception {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"x_script\":\"keepalive\",\"x_key\":\"keepalive\"}");
            List<String> turn = client.turn();
            assertEquals(List.of(FakeUpstream.TEXT.get(0)), turn.subList(0, 1));
            JsonObject error = json(turn.get(1)).getJsonObject("error");
            assertEquals("upstream_timeout", error.getString("code"));
            assertTrue(error.getString("message").contains("idle-timeout"), error.getString("message"));
            assertTrue(FakeUpstream.awaitHungUp("keepalive", 1000), "the upstream sees its connection closed");
        }
    }
}
