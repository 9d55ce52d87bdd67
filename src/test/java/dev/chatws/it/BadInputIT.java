package dev.chatws.it;

import static dev.chatws.it.ChatClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URL;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bad input from a client: each gets its error frame or close code from the contract and loses nothing. A real WebSocket client
 * against the built WAR on Liberty, whose upstream is the scripted fake (dev.chatws.fake).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class BadInputIT {

    private static final String KEY = "sk-test-7f3a9c-never-shown";

    @ArquillianResource
    URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.withFakeUpstream("chat-it", KEY);
    }

    @Test
    void badInputGetsItsErrorCodeKeepsTheSocketOpenAndLosesNothing() {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"x_script\":\"text\"}");
            client.turn();
            JsonArray before = client.history();
            String[][] cases = {
                {"not json", "invalid_json", null},
                {"[{\"role\":\"user\"}]", "invalid_json", null},
                {"{\"model\":\"m\"}", "invalid_request", "messages"},
                {"{\"messages\":[]}", "invalid_request", "messages"},
                {"{\"messages\":{\"role\":\"user\"}}", "invalid_request", "messages"},
                {"{\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}", "invalid_request", "messages[0].role"},
                {"{\"messages\":[{\"role\":\"user\",\"content\":42}]}", "invalid_request", "messages[0].content"},
                {"{\"type\":\"response.create\"}", "unknown_type", "type"},
                {"{\"type\":42}", "unknown_type", "type"},
                {"{\"type\":\"response.cancel\"}", "no_turn_in_progress", null},
            };
            for (String[] bad : cases) {
                client.send(bad[0]);
                JsonObject error = client.nextJson().getJsonObject("error");
                assertEquals(bad[1], error.getString("code"), bad[0]);
                assertEquals(bad[2] == null ? JsonValue.NULL : Json.createValue(bad[2]), error.get("param"), bad[0]);
                assertFalse(error.getString("message").isBlank());
            }
            assertEquals(before, client.history(), "the history is untouched");
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"still there?\"}],\"x_script\":\"text\"}");
            assertEquals("chat.completion", json(ChatClient.last(client.turn())).getString("object"));
        }
    }

    @Test
    void aBinaryFrameClosesTheSocketWith1003() throws Exception {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            client.sendBinary(new byte[] {1, 2, 3});
            assertEquals(1003, client.awaitClose());
        }
    }

    @Test
    void anUpgradeFromAForeignOriginIsRefusedWith403() {
        assertEquals(403, ChatClient.handshakeStatus(ChatClient.uri(base), "http://evil.example"));
        assertEquals(403, ChatClient.handshakeStatus(ChatClient.uri(base), "https://localhost:" + Deployments.HTTP_PORT), "another scheme is another origin");
        assertEquals(101, ChatClient.handshakeStatus(ChatClient.uri(base), "http://localhost:" + Deployments.HTTP_PORT), "the same origin");
        assertEquals(101, ChatClient.handshakeStatus(ChatClient.uri(base), "http://localhost:5173"), "http://localhost:* by default");
    }

    @Test
    void anUnknownConversationClosesWith4404() throws Exception {
        try (ChatClient client = ChatClient.connect(ChatClient.uri(base), "conversation=conv_doesnotexist")) {
            assertEquals(4404, client.awaitClose());
        }
    }

    @Test
    void aFrameOverTheSizeLimitClosesWith1009() throws Exception {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(70_000) + "\"}]}");
            assertEquals(1009, client.awaitClose());
        }
    }
}
