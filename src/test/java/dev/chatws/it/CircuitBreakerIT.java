package dev.chatws.it;

import static dev.chatws.it.ChatClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chatws.fake.FakeUpstream;
import dev.chatws.testing.Await;
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
 * After failures in a row the upstream is not called for a while, then one trial call closes the
 * breaker again. The deployment also has a short turn deadline, tested here because it would cut
 * the long scripted streams of RelayIT and SocketsIT.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class CircuitBreakerIT {

    @ArquillianResource
    URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.withFakeUpstream("chat-breaker", "sk-test-7f3a9c-breaker",
                "chat.upstream.breaker.failures=2", "chat.upstream.breaker.open=PT2S", "chat.upstream.retries=0",
                "chat.upstream.turn-timeout=PT3S");
    }

    @Test
    void opensAfterFailuresAnswersAtOnceWhileOpenAndClosesAfterASuccessfulTrial() throws Exception {
        try (ChatClient client = ChatClient.open(base.toURI())) {
            for (int i = 0; i < 2; i++) {
                JsonObject error = errorOf(client, "status503", "breaker-" + i);
                assertEquals(503, error.getInt("status"));
            }
            long start = System.nanoTime();
            JsonObject refused = errorOf(client, "text", "breaker-refused");
            assertEquals("upstream_error", refused.getString("code"));
            assertFalse(refused.containsKey("status"), "no HTTP exchange took place");
            assertEquals("0", String.valueOf(FakeUpstream.attempts("breaker-refused")), "the upstream was not called");

            long through;
            while (true) {
                client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"x_script\":\"text\"}");
                List<String> turn = client.turn();
                through = (System.nanoTime() - start) / 1_000_000;
                if ("chat.completion".equals(json(turn.get(turn.size() - 1)).getString("object", null))) {
                    break;
                }
                assertTrue(through < 5000, "the breaker half-opens after its 2 s");
                Thread.sleep(100);
            }
            assertTrue(through >= 1800, "refused until the open period passed, then the trial went through: " + through + " ms");
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"again\"}],\"x_script\":\"text\"}");
            List<String> next = client.turn();
            assertEquals("chat.completion", json(next.get(next.size() - 1)).getString("object"), "closed again");
        }
    }

    @Test
    void aTurnLongerThanTheTurnTimeoutEndsWithUpstreamTimeoutAndHangsUp() throws Exception {
        try (ChatClient client = ChatClient.open(base.toURI())) {
            long start = System.nanoTime();
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"long\"}],\"x_script\":\"slow\",\"x_key\":\"turn-deadline\"}");
            List<String> turn = client.turn();
            long took = (System.nanoTime() - start) / 1_000_000;
            JsonObject error = json(turn.get(turn.size() - 1)).getJsonObject("error");
            assertEquals("upstream_timeout", error.getString("code"));
            assertTrue(error.getString("message").contains("turn-timeout"), error.getString("message"));
            assertTrue(turn.size() > 10, "chunks flowed until the deadline");
            assertTrue(took >= 2900 && took < 5000, "ended by the 3 s turn deadline after " + took + " ms");
            assertEquals("yes", awaitHungUp("turn-deadline"), "the upstream sees its connection closed");
        }
    }

    private String awaitHungUp(String key) throws Exception {
        return Await.until(Duration.ofSeconds(1), () -> FakeUpstream.hungUp(key)) ? "yes" : "no";
    }

    private static JsonObject errorOf(ChatClient client, String script, String key) {
        client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"x_script\":\"" + script + "\",\"x_key\":\"" + key + "\"}");
        List<String> turn = client.turn();
        assertEquals(1, turn.size());
        return json(turn.get(0)).getJsonObject("error");
    }

}
