package dev.chatws.it;

import static dev.chatws.it.ChatClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * JSON built to break parsers, at every place that parses untrusted JSON: client frames, upstream
 * events, upstream error bodies, and the history read back. Each case gets its error frame (or a
 * clean turn), and the socket, the conversation's history and the next turn are unaffected.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class HostileInputIT {

    private static final String DEEP = "[".repeat(1001) + "]".repeat(1001);

    @ArquillianResource
    URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.withFakeUpstream("chat-hostile", "sk-test-7f3a9c-hostile", "chat.limits.max-tokens=100");
    }

    @Test
    void aDeeplyNestedFrameIsInvalidJsonAndTheSocketGoesOn() {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            turn(client, "text");
            JsonArray before = client.history();
            client.send("{\"messages\":" + DEEP + "}");
            assertEquals("invalid_json", error(client.nextJson()));
            client.send("{\"type\":\"conversation.get\",\"x\":" + DEEP + "}");
            assertEquals("invalid_json", error(client.nextJson()));
            assertEquals(before, client.history(), "the history is untouched");
            assertEquals("chat.completion", json(ChatClient.last(turn(client, "text"))).getString("object"), "the socket still answers");
        }
    }

    @Test
    void hugeNumbersInARequestAreJudgedByTheirValue() {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            for (String number : List.of("1e400", "1e1000000000", "-1e400", "1" + "0".repeat(1000))) {
                client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":" + number + "}");
                JsonObject error = client.nextJson().getJsonObject("error");
                assertEquals("invalid_request", error.getString("code"), number);
                assertEquals("max_tokens", error.getString("param"), number);
            }
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":1" + "0".repeat(5000) + "}");
            assertEquals("invalid_json", error(client.nextJson()), "a number longer than the parser reads");
            assertEquals(0, client.history().size());
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":1e1,\"temperature\":1e-400,\"x_script\":\"text\"}");
            assertEquals("chat.completion", json(ChatClient.last(client.turn())).getString("object"), "numbers within the caps pass");
        }
    }

    @Test
    void longStringsAndLoneSurrogatesFromTheClientAreKeptAndServed() {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            String text = "x".repeat(60_000);
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}],\"x_script\":\"text\"}");
            assertEquals("chat.completion", json(ChatClient.last(client.turn())).getString("object"));
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"half \\ud800 pair \\udc00\"}],\"x_script\":\"text\"}");
            assertEquals("chat.completion", json(ChatClient.last(client.turn())).getString("object"));
            JsonArray history = client.history();
            assertEquals(4, history.size());
            assertEquals(text, history.getJsonObject(0).getString("content"));
            assertEquals("half \ud800 pair \udc00", history.getJsonObject(2).getString("content"));
            assertEquals("chat.completion", json(ChatClient.last(turn(client, "text"))).getString("object"), "a history holding them is sendable");
        }
    }

    @Test
    void aDeeplyNestedUpstreamEventEndsTheTurnWithUpstreamErrorAndCommitsNothing() {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            List<String> frames = turn(client, "deep_event");
            assertEquals(FakeUpstream.TEXT.get(0), frames.get(0));
            assertEquals("upstream_error", error(json(ChatClient.last(frames))));
            assertEquals(0, client.history().size());
            assertEquals("chat.completion", json(ChatClient.last(turn(client, "text"))).getString("object"));
        }
    }

    @Test
    void aDeeplyNestedUpstreamErrorBodyIsItsStatus() {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            JsonObject error = json(ChatClient.last(turn(client, "deep_error"))).getJsonObject("error");
            assertEquals("upstream_error", error.getString("code"));
            assertEquals(400, error.getInt("status"));
            assertEquals("chat.completion", json(ChatClient.last(turn(client, "text"))).getString("object"));
        }
    }

    @Test
    void hugeNumbersFromTheUpstreamAreRelayedAndAggregated() {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            List<String> frames = turn(client, "big_numbers");
            assertEquals(FakeUpstream.BIG_NUMBERS, frames.subList(0, frames.size() - 1), "relayed as received");
            JsonObject completion = json(ChatClient.last(frames));
            assertEquals("chat.completion", completion.getString("object"));
            assertEquals(json(FakeUpstream.BIG_NUMBERS.get(2)).getJsonObject("usage"), completion.getJsonObject("usage"));
            assertEquals(2, client.history().size());
            // The answer called a tool (call_b): the next turn answers it (PROTOCOL §11).
            client.send("{\"messages\":[{\"role\":\"tool\",\"tool_call_id\":\"call_b\",\"content\":\"ok\"}],\"x_script\":\"text\"}");
            assertEquals("chat.completion", json(ChatClient.last(client.turn())).getString("object"));
        }
    }

    @Test
    void loneSurrogatesFromTheUpstreamAreRelayedAndCommitted() {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            List<String> frames = turn(client, "surrogate");
            assertEquals(FakeUpstream.SURROGATE, frames.subList(0, frames.size() - 1), "relayed as received");
            String content = "lone \ud800 high, lone \udc00 low";
            JsonObject completion = json(ChatClient.last(frames));
            assertEquals(content, completion.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"));
            assertEquals(content, client.history().getJsonObject(1).getString("content"));
            assertEquals("chat.completion", json(ChatClient.last(turn(client, "text"))).getString("object"));
        }
    }

    private static List<String> turn(ChatClient client, String script) {
        client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"x_script\":\"" + script + "\"}");
        List<String> frames = client.turn();
        assertTrue(frames.size() >= 1);
        return frames;
    }

    private static String error(JsonObject frame) {
        return frame.getJsonObject("error").getString("code");
    }
}
