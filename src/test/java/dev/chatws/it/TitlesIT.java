package dev.chatws.it;

import static dev.chatws.it.ChatClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chatws.fake.FakeUpstream;
import jakarta.json.JsonObject;
import java.net.URL;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code chat.titles=auto} (PROTOCOL §10) against the scripted upstream: after the first turn the
 * server asks once, without streaming, and every socket gets the titled conversation frame after
 * the turn's terminal frame; the turn's usage does not count it.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class TitlesIT {

    @ArquillianResource
    URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.withFakeUpstream("chat-titles", "sk-test-titles", "chat.titles=auto");
    }

    @Test
    void theFirstTurnTitlesTheConversationOnce() throws Exception {
        try (ChatClient client = ChatClient.connect(ChatClient.uri(base), null)) {
            client.nextJson();
            int asks = FakeUpstream.attempts("whole");
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"Plan a trip to Lisbon\"}],\"x_key\":\"titled-turn\"}");
            assertEquals("chat.completion", json(ChatClient.last(client.turn())).getString("object"));
            JsonObject titled = client.nextJson();
            assertEquals("conversation", titled.getString("object"));
            assertEquals("Whole answer", titled.getString("title"), "the scripted upstream's non-streamed answer");
            assertEquals(11, titled.getJsonObject("usage").getInt("prompt_tokens"), "the title request is not billed to the turn");
            JsonObject asked = json(FakeUpstream.request("whole"));
            assertFalse(asked.getBoolean("stream"));
            assertTrue(asked.getJsonArray("messages").getJsonObject(1).getString("content").startsWith("User: Plan a trip to Lisbon"));
            assertEquals("Bearer sk-test-titles", FakeUpstream.authorization("whole"));

            assertEquals(asks + 1, FakeUpstream.attempts("whole"));
            for (String more : new String[] {"and back", "and again"}) {
                client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"" + more + "\"}]}");
                assertEquals("chat.completion", json(ChatClient.last(client.turn())).getString("object"), "no frame but the turn's");
            }
            assertEquals(asks + 1, FakeUpstream.attempts("whole"), "asked once: a later turn asks no title");
        }
    }
}
