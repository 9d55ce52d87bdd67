package dev.chatws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.URI;
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
 * The server's limits, each tripped with its code: connections per client (4429), messages per
 * turn, {@code max_tokens}, the model allow-list ({@code invalid_request} with {@code param}) and
 * turns per minute ({@code rate_limited} with {@code retry_after}). Every test client comes from
 * 127.0.0.1, so they are one client here.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class LimitsIT {

    @ArquillianResource
    URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.simulated("chat-limits",
                "chat.limits.connections-per-client=2",
                "chat.limits.turns-per-minute=3",
                "chat.limits.max-messages=2",
                "chat.limits.max-tokens=100",
                "chat.limits.models=gpt-4o-mini,gpt-4o",
                "chat.simulator.first-token-delay=0",
                "chat.simulator.tokens-per-second=2000");
    }

    @Test
    void aThirdConnectionOfOneClientIsClosedWith4429() throws Exception {
        URI uri = base.toURI();
        try (ChatClient a = ChatClient.open(uri); ChatClient b = ChatClient.open(uri)) {
            try (ChatClient c = ChatClient.connect(uri, null)) {
                assertEquals(4429, c.awaitClose());
            }
            a.close();
            long deadline = System.nanoTime() + 5_000_000_000L;
            int code;
            do {
                code = ChatClient.closeCodeOrZero(uri, null);
            } while (code == 4429 && System.nanoTime() < deadline);
            assertEquals(0, code, "a closed socket frees its place");
        }
    }

    @Test
    void requestsOverACapAreRefusedNamingTheMemberAndCommitNothing() throws Exception {
        try (ChatClient client = ChatClient.open(base.toURI())) {
            String user = "{\"role\":\"user\",\"content\":\"hi\"}";
            assertEquals("messages", refused(client, "{\"messages\":[" + user + "," + user + "," + user + "]}"));
            assertEquals("max_tokens", refused(client, "{\"max_tokens\":101,\"messages\":[" + user + "]}"));
            assertEquals("model", refused(client, "{\"model\":\"gpt-5-expensive\",\"messages\":[" + user + "]}"));
            client.send("{\"type\":\"conversation.get\"}");
            assertEquals(0, client.nextJson().getJsonArray("messages").size(), "the history is untouched");
        }
    }

    @Test
    void turnsOverTheRateAreRateLimitedWithTheTimeToRetry() throws Exception {
        try (ChatClient client = ChatClient.open(base.toURI())) {
            for (int i = 0; i < 3; i++) {
                assertEquals("chat.completion", terminal(client).getString("object", null), "turn " + (i + 1));
            }
            JsonObject error = terminal(client).getJsonObject("error");
            assertEquals("rate_limited", error.getString("code"), error.toString());
            int retryAfter = error.getInt("retry_after");
            assertTrue(retryAfter >= 1 && retryAfter <= 20, "3 a minute: the next within 20 s, said " + retryAfter);
            client.send("{\"type\":\"conversation.get\"}");
            assertEquals(6, client.nextJson().getJsonArray("messages").size(), "the refused turn committed nothing");
        }
    }

    private static JsonObject terminal(ChatClient client) {
        client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}");
        List<String> frames = client.turn();
        return ChatClient.json(frames.get(frames.size() - 1));
    }

    private static String refused(ChatClient client, String request) {
        client.send(request);
        JsonObject error = client.nextJson().getJsonObject("error");
        assertEquals("invalid_request", error.getString("code"), error.toString());
        return error.getString("param");
    }
}
