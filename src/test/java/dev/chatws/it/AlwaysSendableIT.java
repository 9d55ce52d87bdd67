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
 * PROTOCOL §11 in the container, against the fake's replays of what a real llama.cpp server does:
 * a conversation driven past the model's context keeps working with the default budget, a cut
 * tool call never reaches the history, and unanswered tool calls are refused before any upstream
 * call.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AlwaysSendableIT {

    @ArquillianResource
    URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.withFakeUpstream("chat-sendable", "sk-test-sendable");
    }

    private static String said(int turn) {
        return ("turn " + turn + " ").repeat(20);
    }

    private JsonObject conversation(ChatClient client) {
        client.send("{\"type\":\"conversation.get\"}");
        return client.nextJson();
    }

    @Test
    void aConversationPastTheModelsContextKeepsWorkingAndTheSmallerBudgetIsKept() throws Exception {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            int resent = 0;
            for (int turn = 1; turn <= 12; turn++) {
                client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"" + said(turn) + "\"}],"
                        + "\"x_script\":\"context\",\"x_ctx\":400,\"x_key\":\"ctx-" + turn + "\"}");
                List<String> frames = client.turn();
                JsonObject terminal = json(frames.get(frames.size() - 1));
                assertEquals("chat.completion", terminal.getString("object", null), "turn " + turn + ": " + terminal);
                resent += FakeUpstream.attempts("ctx-" + turn) - 1;
            }
            assertTrue(resent >= 1, "the context overflowed and a turn was sent once more with less history");
            assertEquals(1, FakeUpstream.attempts("ctx-12"), "the smaller budget is kept: the last turn went through at once");
            JsonArray sent = json(FakeUpstream.request("ctx-12")).getJsonArray("messages");
            assertTrue(sent.size() < 23, "the oldest turns were left out upstream: " + sent.size() + " messages");
            assertEquals(said(12), sent.getJsonObject(sent.size() - 1).getString("content"), "never the new message");
            JsonObject conversation = conversation(client);
            assertEquals(24, conversation.getJsonArray("messages").size(), "the history keeps everything");
            assertTrue(conversation.getInt("trimmed", 0) > 0, "and says how much the last turn left out");
        }
    }

    @Test
    void whenTheNewMessagesAloneDoNotFitTheTurnEndsWithUpstreamError400() {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"" + "far too long ".repeat(200) + "\"}],"
                    + "\"x_script\":\"context\",\"x_ctx\":100,\"x_key\":\"ctx-alone\"}");
            JsonObject error = json(client.turn().get(0)).getJsonObject("error");
            assertEquals("upstream_error", error.getString("code"));
            assertEquals(400, error.getInt("status"));
            assertEquals(1, FakeUpstream.attempts("ctx-alone"), "nothing to leave out: not sent again");
        }
    }

    @Test
    void aToolCallCutByMaxTokensIsRelayedButNeverCommittedNorSentBack() throws Exception {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"weather in Oslo?\"}],\"tools\":[{\"type\":\"function\","
                    + "\"function\":{\"name\":\"get_weather\"}}],\"max_tokens\":4,\"x_script\":\"cut_tool\",\"x_key\":\"cut-tool\"}");
            List<String> frames = client.turn();
            assertEquals(FakeUpstream.LLAMA_CUT_TOOL, frames.subList(0, FakeUpstream.LLAMA_CUT_TOOL.size()), "relayed as received");
            JsonObject choice = json(frames.get(frames.size() - 1)).getJsonArray("choices").getJsonObject(0);
            assertEquals("length", choice.getString("finish_reason"));
            assertEquals("{\"ci", choice.getJsonObject("message").getJsonArray("tool_calls").getJsonObject(0)
                    .getJsonObject("function").getString("arguments"), "the terminal frame shows the call as it came");
            JsonArray history = conversation(client).getJsonArray("messages");
            assertEquals(1, history.size(), "only the request: nothing else was left of the answer: " + history);
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"and tomorrow?\"}],\"x_key\":\"after-cut\"}");
            assertEquals("chat.completion", json(ChatClient.last(client.turn())).getString("object"), "the next turn works");
            assertFalse(FakeUpstream.request("after-cut").contains("get_weather"), "no cut call sent back upstream");
        }
    }

    @Test
    void aRequestThatDoesNotAnswerTheLastAnswersToolCallsIsRefusedBeforeAnyUpstreamCall() {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"weather?\"}],\"x_script\":\"tools\",\"x_key\":\"owed\"}");
            assertEquals("chat.completion", json(ChatClient.last(client.turn())).getString("object"));
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"never mind\"}],\"x_key\":\"owed-refused\"}");
            JsonObject error = client.nextJson().getJsonObject("error");
            assertEquals("invalid_request", error.getString("code"));
            assertEquals("messages", error.getString("param"));
            assertTrue(error.getString("message").contains("call_"), error.getString("message"));
            assertEquals(0, FakeUpstream.attempts("owed-refused"), "no upstream call");
        }
    }
}
