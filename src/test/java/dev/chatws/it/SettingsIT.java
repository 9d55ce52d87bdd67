package dev.chatws.it;

import static dev.chatws.it.ChatClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * PROTOCOL §10 over a real socket: {@code conversation.update} sets the title and settings for
 * every socket, the system prompt goes upstream first without joining the history, model and
 * params are defaults under the request's own, a refused update changes nothing, and the profile
 * is in the store (a conversation unloaded from memory comes back with it).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class SettingsIT {

    @ArquillianResource
    URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.withFakeUpstream("chat-settings", "sk-test-settings", "chat.conversation.unload-after=PT1S");
    }

    @Test
    void titleAndSettingsApplyToEveryTurnAndSurviveLeavingMemory() throws Exception {
        String id;
        try (ChatClient client = ChatClient.connect(ChatClient.uri(base), null)) {
            id = client.nextJson().getString("id");
            try (ChatClient other = ChatClient.connect(ChatClient.uri(base), "conversation=" + id)) {
                other.nextJson();
                client.send("{\"type\":\"conversation.update\",\"title\":\"Weather\",\"settings\":{\"system\":\"Answer in French.\","
                        + "\"model\":\"conv-model\",\"params\":{\"temperature\":0.1,\"top_k\":7}}}");
                JsonObject updated = client.nextJson();
                assertEquals(updated, other.nextJson(), "every socket gets it");
                assertEquals("Weather", updated.getString("title"));
                assertEquals("Answer in French.", updated.getJsonObject("settings").getString("system"));
            }
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":0.8,\"x_key\":\"settings-1\"}");
            client.turn();
            JsonObject sent = json(FakeUpstream.request("settings-1"));
            assertEquals("{\"role\":\"system\",\"content\":\"Answer in French.\"}", sent.getJsonArray("messages").getJsonObject(0).toString());
            assertEquals("conv-model", sent.getString("model"));
            assertEquals(0.8, sent.getJsonNumber("temperature").doubleValue(), 0.0, "the request's own member wins");
            assertEquals(7, sent.getInt("top_k"));
            client.send("{\"type\":\"conversation.get\"}");
            assertEquals(2, client.nextJson().getJsonArray("messages").size(), "the system prompt is not in the history");

            client.send("{\"type\":\"conversation.update\",\"title\":\"changed\",\"settings\":{\"colour\":\"red\"}}");
            JsonObject error = client.nextJson().getJsonObject("error");
            assertEquals("invalid_request", error.getString("code"));
            assertEquals("settings.colour", error.getString("param"));
            client.send("{\"type\":\"conversation.update\",\"title\":\"" + "t".repeat(201) + "\"}");
            assertEquals("title", client.nextJson().getJsonObject("error").getString("param"));
        }
        assertTrue(dev.chatws.testing.Await.until(java.time.Duration.ofSeconds(10), () -> {
            try (ChatClient again = ChatClient.connect(ChatClient.uri(base), "conversation=" + id)) {
                JsonObject reloaded = again.nextJson();
                return "Weather".equals(reloaded.getString("title", null))
                        && "conv-model".equals(reloaded.getJsonObject("settings").getString("model", null));
            }
        }), "the title and settings are stored, and the refused updates changed nothing");
    }
}
