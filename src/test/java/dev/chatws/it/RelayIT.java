package dev.chatws.it;

import static dev.chatws.it.ChatClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chatws.fake.FakeUpstream;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
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
 * The relay end to end: every chunk byte for byte, the aggregate, tool calls, logprobs, provider quirks, a non-streamed answer, the token budget of what goes upstream. A real WebSocket client
 * against the built WAR on Liberty, whose upstream is the scripted fake (dev.chatws.fake).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class RelayIT {

    private static final String KEY = "sk-test-7f3a9c-never-shown";

    @ArquillianResource
    URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.withFakeUpstream("chat-it", KEY);
    }

    @Test
    void relaysEveryChunkByteForByteAndAggregatesTheTurn() throws Exception {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"x_client\":{\"k\":1}}],"
                    + "\"x_script\":\"text\",\"x_key\":\"plain\",\"top_k\":40}");
            List<String> turn = client.turn();
            assertEquals(FakeUpstream.TEXT, turn.subList(0, turn.size() - 1), "chunks as the upstream sent them");
            JsonObject completion = json(turn.get(turn.size() - 1));
            assertEquals("chat.completion", completion.getString("object"));
            assertEquals("chatcmpl-t", completion.getString("id"));
            assertEquals(1700000000, completion.getJsonNumber("created").longValue());
            assertEquals("fake-1", completion.getString("model"));
            assertEquals("fp_f", completion.getString("system_fingerprint"));
            assertEquals(json("{\"region\":\"eu\",\"latency\":1.50}"), completion.getJsonObject("x_provider"));
            JsonObject choice = completion.getJsonArray("choices").getJsonObject(0);
            assertEquals("stop", choice.getString("finish_reason"));
            assertEquals("Hello, wörld 👋", choice.getJsonObject("message").getString("content"));
            assertEquals("Let me think.", choice.getJsonObject("message").getString("reasoning_content"));
            assertEquals(json(FakeUpstream.TEXT.get(5)).getJsonObject("usage"), completion.getJsonObject("usage"));

            JsonObject upstream = upstreamBody("plain");
            assertEquals("fake-default", upstream.getString("model"));
            assertEquals(40, upstream.getInt("top_k"));
            assertEquals(JsonValue.TRUE, upstream.get("stream"));
            assertEquals(JsonValue.TRUE, upstream.getJsonObject("stream_options").get("include_usage"));
            assertEquals(Json.createArrayBuilder().add(json("{\"role\":\"user\",\"content\":\"hi\",\"x_client\":{\"k\":1}}")).build(),
                    upstream.get("messages"), "the new message exactly as sent");
            assertEquals("Bearer " + KEY, FakeUpstream.authorization("plain"));
            assertTrue(turn.stream().noneMatch(frame -> frame.contains(KEY)), "the key never reaches a client");

            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"again\"}],\"x_script\":\"text\",\"x_key\":\"plain2\"}");
            client.turn();
            JsonArray sent = upstreamBody("plain2").getJsonArray("messages");
            assertEquals(3, sent.size());
            assertEquals(json("{\"role\":\"user\",\"content\":\"hi\",\"x_client\":{\"k\":1}}"), sent.get(0));
            assertEquals(json("{\"role\":\"assistant\",\"content\":\"Hello, wörld 👋\"}"), sent.get(1),
                    "the history keeps the standard members of the reply only");
            assertEquals(json("{\"role\":\"user\",\"content\":\"again\"}"), sent.get(2));
            assertEquals(4, client.history().size());
        }
    }

    @Test
    void reassemblesInterleavedParallelToolCallsAndTheToolAnswersFollowThem() throws Exception {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"weather and time?\"}],\"x_script\":\"tools\","
                    + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"weather\"}},{\"type\":\"function\",\"function\":{\"name\":\"time\"}}]}");
            List<String> turn = client.turn();
            assertEquals(FakeUpstream.TOOLS, turn.subList(0, turn.size() - 1));
            JsonObject choice = json(turn.get(turn.size() - 1)).getJsonArray("choices").getJsonObject(0);
            assertEquals("tool_calls", choice.getString("finish_reason"));
            JsonObject expected = json("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
                    + "{\"id\":\"call_w\",\"type\":\"function\",\"function\":{\"name\":\"weather\",\"arguments\":\"{\\\"city\\\":\\\"Oslo\\\"}\"}},"
                    + "{\"id\":\"call_t\",\"type\":\"function\",\"function\":{\"name\":\"time\",\"arguments\":\"{\\\"tz\\\":\\\"CET\\\"}\"}}]}");
            assertEquals(expected, choice.getJsonObject("message"));

            client.send("{\"messages\":[{\"role\":\"tool\",\"tool_call_id\":\"call_w\",\"content\":\"12 C\"},"
                    + "{\"role\":\"tool\",\"tool_call_id\":\"call_t\",\"content\":\"10:00\"}],\"x_script\":\"text\",\"x_key\":\"after-tools\"}");
            assertEquals("chat.completion", json(ChatClient.last(client.turn())).getString("object"));
            JsonArray sent = upstreamBody("after-tools").getJsonArray("messages");
            assertEquals(4, sent.size());
            assertEquals(expected, sent.get(1), "the assistant's tool calls are in the history");
            assertEquals("call_t", sent.getJsonObject(3).getString("tool_call_id"));
        }
    }

    @Test
    void concatenatesLogprobs() {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"x_script\":\"logprobs\",\"logprobs\":true,\"top_logprobs\":1}");
            JsonObject choice = json(ChatClient.last(client.turn())).getJsonArray("choices").getJsonObject(0);
            assertEquals("Hi!", choice.getJsonObject("message").getString("content"));
            JsonArray tokens = choice.getJsonObject("logprobs").getJsonArray("content");
            assertEquals(2, tokens.size());
            assertEquals("!", tokens.getJsonObject(1).getString("token"));
            assertEquals(-1.25, tokens.getJsonObject(1).getJsonNumber("logprob").doubleValue());
            assertEquals(33, tokens.getJsonObject(1).getJsonArray("bytes").getInt(0));
        }
    }

    @Test
    void relaysAzurePreambleOverCrlfAndTakesTopLevelFromTheFirstNonEmptyChunk() {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"x_script\":\"azure\"}");
            List<String> turn = client.turn();
            assertEquals(FakeUpstream.AZURE, turn.subList(0, turn.size() - 1));
            JsonObject completion = json(ChatClient.last(turn));
            assertEquals("chatcmpl-az", completion.getString("id"));
            assertEquals(1700000001, completion.getInt("created"));
            assertEquals("gpt-4o-2024-08-06", completion.getString("model"));
            assertEquals(JsonValue.NULL, completion.get("usage"));
            assertEquals(json(FakeUpstream.AZURE.get(0)).get("prompt_filter_results"), completion.get("prompt_filter_results"));
            assertEquals("Azure", completion.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"));
        }
    }

    @Test
    void aThousandChunksAsFastAsTheUpstreamSendsThemAllArriveInOrder() {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"go\"}],\"x_script\":\"many\"}");
            List<String> turn = client.turn();
            assertEquals(1001, turn.size());
            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < 1000; i++) {
                assertEquals(FakeUpstream.chunk("{\"content\":\"t" + i + " \"}", i == 999 ? "stop" : null), turn.get(i), "chunk " + i);
                expected.append('t').append(i).append(' ');
            }
            assertEquals(expected.toString(),
                    json(ChatClient.last(turn)).getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"));
        }
    }

    @Test
    void withoutStreamingTheUpstreamsAnswerIsTheOnlyFrame() throws Exception {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":false,"
                    + "\"stream_options\":{\"include_usage\":true},\"x_script\":\"whole\",\"x_key\":\"whole\"}");
            assertEquals(List.of(FakeUpstream.WHOLE), client.turn());
            JsonObject upstream = upstreamBody("whole");
            assertEquals(JsonValue.FALSE, upstream.get("stream"));
            assertFalse(upstream.containsKey("stream_options"));
            assertEquals(json("{\"role\":\"assistant\",\"content\":\"Whole answer\"}"), client.history().get(1));
        }
    }

    @Test
    void aHistoryOverTheTokenBudgetLeavesOutItsOldestTurnUpstreamButKeepsEverything() throws Exception {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            for (String word : new String[] {"alpha", "beta", "gamma"}) {
                client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"" + (word + " ").repeat(900)
                        + "\"}],\"x_script\":\"text\",\"x_key\":\"budget-" + word + "\"}");
                assertEquals("chat.completion", json(ChatClient.last(client.turn())).getString("object"));
            }
            assertEquals(3, upstreamBody("budget-beta").getJsonArray("messages").size(), "under 2,000 tokens: all of it");
            JsonArray sent = upstreamBody("budget-gamma").getJsonArray("messages");
            assertEquals(3, sent.size(), "the first turn (user and assistant) was left out");
            assertTrue(sent.getJsonObject(0).getString("content").startsWith("beta"));
            client.send("{\"type\":\"conversation.get\"}");
            JsonObject conversation = client.nextJson();
            assertEquals(6, conversation.getJsonArray("messages").size(), "the committed history keeps everything");
            assertEquals(2, conversation.getInt("trimmed"));
        }
    }

    private JsonObject upstreamBody(String key) throws Exception {
        return json(FakeUpstream.request(key));
    }
}
