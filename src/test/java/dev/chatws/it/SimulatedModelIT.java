package dev.chatws.it;

import static dev.chatws.it.ChatClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonArray;
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
 * The built WAR exactly as users deploy it, with no configuration: its upstream is the built-in
 * simulated model, reached through the same Rest Client over loopback HTTP. Also proves the
 * conversation's lifetime: one per socket that starts one, the same one for every frame on it,
 * outliving the socket.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class SimulatedModelIT {

    @ArquillianResource
    URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.product("chat-sim");
    }

    @Test
    void twoSocketsGetTwoConversationsAndEveryMessageOnOneReachesTheSameOne() throws Exception {
        try (ChatClient a = ChatClient.connect(uri(), null); ChatClient b = ChatClient.connect(uri(), null)) {
            String idA = a.nextJson().getString("id");
            String idB = b.nextJson().getString("id");
            assertNotEquals(idA, idB);
            assertTrue(idA.matches("conv_[A-Za-z0-9_-]{22}"), idA);

            assertTrue(reply(a, "hi").contains("turn 1"));
            assertTrue(reply(b, "I am b").contains("turn 1"), "b's conversation is its own");
            String second = reply(a, "what did I say?");
            assertTrue(second.contains("turn 2") && second.contains("\"what did I say?\"") && second.contains("\"hi\""), second);

            a.send("{\"type\":\"conversation.get\"}");
            JsonObject conversationA = a.nextJson();
            assertEquals(idA, conversationA.getString("id"));
            JsonArray messages = conversationA.getJsonArray("messages");
            assertEquals(4, messages.size());
            assertEquals("hi", messages.getJsonObject(0).getString("content"));
            assertEquals(second, messages.getJsonObject(3).getString("content"));
            b.send("{\"type\":\"conversation.get\"}");
            assertEquals(2, b.nextJson().getJsonArray("messages").size());
        }
    }

    @Test
    void aConversationOutlivesItsSocketAndCanBeReattached() throws Exception {
        String id;
        try (ChatClient first = ChatClient.connect(uri(), null)) {
            id = first.nextJson().getString("id");
            reply(first, "remember me");
        }
        try (ChatClient again = ChatClient.connect(uri(), "conversation=" + id)) {
            JsonObject conversation = again.nextJson();
            assertEquals(id, conversation.getString("id"));
            assertEquals("remember me", conversation.getJsonArray("messages").getJsonObject(0).getString("content"));
            assertTrue(reply(again, "and now?").contains("\"remember me\""));
        }
    }

    @Test
    void streamsParallelToolCallsLogprobsAndUsage() throws Exception {
        try (ChatClient client = ChatClient.open(uri())) {
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"Oslo?\"}],\"tools\":["
                    + "{\"type\":\"function\",\"function\":{\"name\":\"weather\",\"parameters\":{\"type\":\"object\"}}},"
                    + "{\"type\":\"function\",\"function\":{\"name\":\"time\",\"parameters\":{\"type\":\"object\"}}}]}");
            JsonObject completion = json(last(client.turn()));
            JsonObject choice = completion.getJsonArray("choices").getJsonObject(0);
            assertEquals("tool_calls", choice.getString("finish_reason"));
            JsonArray calls = choice.getJsonObject("message").getJsonArray("tool_calls");
            assertEquals(2, calls.size());
            assertEquals("time", calls.getJsonObject(1).getJsonObject("function").getString("name"));
            assertEquals("Oslo?", json(calls.getJsonObject(0).getJsonObject("function").getString("arguments")).getString("query"));
            assertTrue(completion.getJsonObject("usage").getInt("total_tokens") > 0);

            client.send("{\"messages\":[{\"role\":\"tool\",\"tool_call_id\":\"" + calls.getJsonObject(0).getString("id") + "\",\"content\":\"12 C\"},"
                    + "{\"role\":\"tool\",\"tool_call_id\":\"" + calls.getJsonObject(1).getString("id") + "\",\"content\":\"10:00\"}],"
                    + "\"logprobs\":true,\"top_logprobs\":2}");
            JsonObject answer = json(last(client.turn()));
            JsonObject message = answer.getJsonArray("choices").getJsonObject(0).getJsonObject("message");
            assertTrue(message.getString("content").contains("12 C; 10:00"), message.toString());
            JsonArray logprobs = answer.getJsonArray("choices").getJsonObject(0).getJsonObject("logprobs").getJsonArray("content");
            StringBuilder tokens = new StringBuilder();
            logprobs.forEach(token -> tokens.append(token.asJsonObject().getString("token")));
            assertEquals(message.getString("content"), tokens.toString(), "one logprob per streamed token, in order");
            assertEquals(2, logprobs.getJsonObject(0).getJsonArray("top_logprobs").size());
            assertTrue(answer.getJsonObject("usage").getJsonObject("prompt_tokens_details").getInt("cached_tokens") > 0);
        }
    }

    @Test
    void answersWithoutStreaming() throws Exception {
        try (ChatClient client = ChatClient.open(uri())) {
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":false,\"model\":\"my-model\"}");
            List<String> turn = client.turn();
            assertEquals(1, turn.size(), "no chunks, only the completion");
            JsonObject completion = json(turn.get(0));
            assertEquals("my-model", completion.getString("model"));
            assertTrue(completion.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content").contains("\"hi\""));
        }
    }

    private static String reply(ChatClient client, String text) {
        client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}");
        List<String> turn = client.turn();
        assertTrue(turn.size() > 2, "the reply is streamed in chunks");
        JsonObject completion = json(last(turn));
        assertEquals("chat.completion", completion.getString("object"), completion.toString());
        return completion.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content");
    }

    private static String last(List<String> turn) {
        return turn.get(turn.size() - 1);
    }

    private URI uri() throws Exception {
        return base.toURI();
    }
}
