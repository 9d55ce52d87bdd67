package dev.chatws.it;

import static dev.chatws.it.ChatClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chatws.fake.FakeUpstream;
import jakarta.json.JsonArray;
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
 * PROTOCOL §8 and §9 end to end: message ids in the conversation frame, regenerate, edit and
 * switch over a real socket, the unasked conversation frame every attached socket gets, and the
 * branches surviving the conversation leaving memory (read back from the store).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class BranchesIT {

    @ArquillianResource
    URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.withFakeUpstream("chat-branches", "sk-test-branches", "chat.conversation.unload-after=PT1S");
    }

    private static List<String> contents(JsonObject conversation) {
        return conversation.getJsonArray("messages").stream().map(m -> m.asJsonObject().getString("content")).toList();
    }

    private static JsonObject terminalThenConversation(ChatClient client) {
        List<String> turn = client.turn();
        assertEquals("chat.completion", json(turn.get(turn.size() - 1)).getString("object"), "the turn's terminal frame first");
        JsonObject conversation = client.nextJson();
        assertEquals("conversation", conversation.getString("object"), "then the conversation, unasked");
        return conversation;
    }

    @Test
    void regenerateEditAndSwitchSteerTheActivePathAndEverySocketHearsOfIt() throws Exception {
        String id;
        try (ChatClient client = ChatClient.connect(ChatClient.uri(base), null)) {
            JsonObject first = client.nextJson();
            id = first.getString("id");
            assertEquals(0, first.getJsonArray("message_ids").size());
            assertEquals(JsonObject.EMPTY_JSON_OBJECT, first.getJsonObject("forks"));
            assertTrue(first.isNull("title"));
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"x_key\":\"br-1\",\"temperature\":0.3}");
            client.turn();
            try (ChatClient other = ChatClient.connect(ChatClient.uri(base), "conversation=" + id)) {
                JsonObject attached = other.nextJson();
                assertEquals(List.of("msg_0", "msg_1"), attached.getJsonArray("message_ids").getValuesAs(jakarta.json.JsonString::getString));

                client.send("{\"type\":\"response.regenerate\",\"x_key\":\"br-regen\",\"temperature\":1.1}");
                JsonObject regenerated = terminalThenConversation(client);
                assertEquals(regenerated, terminalThenConversation(other), "the other socket gets the turn and the frame too");
                assertEquals("{\"msg_2\":[\"msg_1\",\"msg_2\"]}", regenerated.getJsonObject("forks").toString());
                JsonObject sent = json(FakeUpstream.request("br-regen"));
                assertEquals(1, sent.getJsonArray("messages").size(), "the old answer is not sent");
                assertEquals(1.1, sent.getJsonNumber("temperature").doubleValue(), 0.0, "the override");
                assertFalse(sent.toString().contains("msg_"), "ids never go upstream");

                client.send("{\"type\":\"message.edit\",\"message_id\":\"msg_0\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}],\"x_key\":\"br-edit\"}");
                JsonObject edited = terminalThenConversation(client);
                terminalThenConversation(other);
                assertEquals("hello", contents(edited).get(0));
                assertEquals("{\"msg_3\":[\"msg_0\",\"msg_3\"]}", edited.getJsonObject("forks").toString());

                client.send("{\"type\":\"branch.switch\",\"message_id\":\"msg_1\"}");
                JsonObject switched = client.nextJson();
                assertEquals(switched, other.nextJson(), "every socket gets the switch");
                assertEquals(List.of("msg_0", "msg_1"), switched.getJsonArray("message_ids").getValuesAs(jakarta.json.JsonString::getString));
                assertEquals("{\"msg_0\":[\"msg_0\",\"msg_3\"],\"msg_1\":[\"msg_1\",\"msg_2\"]}", switched.getJsonObject("forks").toString());
            }
        }
        // Unloaded from memory after its last socket left: read back from the store.
        assertTrue(dev.chatws.testing.Await.until(java.time.Duration.ofSeconds(10), () -> {
            try (ChatClient again = ChatClient.connect(ChatClient.uri(base), "conversation=" + id)) {
                JsonObject reloaded = again.nextJson();
                return List.of("msg_0", "msg_1").equals(reloaded.getJsonArray("message_ids").getValuesAs(jakarta.json.JsonString::getString))
                        && reloaded.getJsonObject("forks").size() == 2;
            }
        }), "the branches and the active path are in the store");
    }

    @Test
    void steeringFramesThatCannotBeDoneAnswerWithAnErrorAndChangeNothing() {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            client.send("{\"type\":\"response.regenerate\"}");
            JsonObject nothing = client.nextJson().getJsonObject("error");
            assertEquals("invalid_request", nothing.getString("code"));
            assertTrue(nothing.isNull("param"), "nothing to regenerate: param null");
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"long\"}],\"x_script\":\"slow\",\"x_key\":\"br-busy\"}");
            client.next();
            client.send("{\"type\":\"branch.switch\",\"message_id\":\"msg_0\"}");
            assertEquals("turn_in_progress", nextError(client).getString("code"));
            client.send("{\"type\":\"response.cancel\"}");
            client.turn();
            client.send("{\"type\":\"message.edit\",\"message_id\":\"msg_1\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
            JsonObject notUser = client.nextJson().getJsonObject("error");
            assertEquals("message_id", notUser.getString("param"));
            client.send("{\"type\":\"message.edit\",\"message_id\":\"msg_0\",\"messages\":[{\"role\":\"user\"}]}");
            assertEquals("messages[0].content", client.nextJson().getJsonObject("error").getString("param"));
            client.send("{\"type\":\"conversation.get\"}");
            JsonArray ids = client.nextJson().getJsonArray("message_ids");
            assertEquals(2, ids.size(), "nothing changed");
        }
    }

    @Test
    void aCancelledEditCommitsWhatWasShownAsTheNewBranch() {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"first\"}],\"x_key\":\"br-c1\"}");
            client.turn();
            client.send("{\"type\":\"message.edit\",\"message_id\":\"msg_0\",\"messages\":[{\"role\":\"user\",\"content\":\"second\"}],"
                    + "\"x_script\":\"slow\",\"x_key\":\"br-c2\"}");
            String shown = json(client.next()).getJsonArray("choices").getJsonObject(0).getJsonObject("delta").getString("content");
            client.send("{\"type\":\"response.cancel\"}");
            JsonObject edited = terminalThenConversation(client);
            assertEquals("second", contents(edited).get(0));
            assertTrue(contents(edited).get(1).startsWith(shown), "the partial answer is in the new branch: " + contents(edited));
            assertEquals("{\"msg_2\":[\"msg_0\",\"msg_2\"]}", edited.getJsonObject("forks").toString());
        }
    }

    private static JsonObject nextError(ChatClient client) {
        while (true) {
            JsonObject frame = client.nextJson();
            if (frame.containsKey("error")) {
                return frame.getJsonObject("error");
            }
        }
    }
}
