package dev.chatws.conversation.boundary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.chatws.conversation.entity.ChatRequest;
import dev.chatws.conversation.entity.ControlFrame;
import dev.chatws.conversation.entity.ConversationFrame;
import dev.chatws.conversation.entity.TokenUsage;
import dev.chatws.conversation.entity.ErrorCode;
import dev.chatws.conversation.entity.ErrorFrame;
import dev.chatws.conversation.entity.MalformedFrame;
import dev.chatws.conversation.entity.OversizedFrame;
import dev.chatws.conversation.entity.RawFrame;
import jakarta.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrameCodecTest {

    private final FrameDecoder decoder = new FrameDecoder();
    private final FrameEncoder encoder = new FrameEncoder();

    @Test
    void chatRequestKeepsEveryMemberInTheClientsOrder() {
        String text = "{\"z_first\":1,\"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"x\":{\"k\":[1,2]}}],\"top_k\":40}";
        ChatRequest request = assertInstanceOf(ChatRequest.class, decoder.decode(text));
        assertEquals(text, request.body().toString());
    }

    @Test
    void aFrameWithATypeIsAControlFrame() {
        assertEquals("response.cancel", assertInstanceOf(ControlFrame.class, decoder.decode("{\"type\":\"response.cancel\"}")).type());
        assertEquals(null, assertInstanceOf(ControlFrame.class, decoder.decode("{\"type\":7,\"messages\":[]}")).type());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "hello", "{\"messages\":", "[1,2]", "\"text\"", "42", "-1", "null", "true", "{\"a\":1} {\"b\":2}"})
    void anythingButOneJsonObjectIsMalformed(String text) {
        assertInstanceOf(MalformedFrame.class, decoder.decode(text), text);
    }

    @Test
    void inputNestedDeeperThanTheParserAllowsIsMalformedNotAnException() {
        String deep = "[".repeat(1001) + "]".repeat(1001);
        MalformedFrame frame = assertInstanceOf(MalformedFrame.class, decoder.decode("{\"messages\":" + deep + "}"));
        assertEquals("it is nested deeper than the parser allows.", frame.detail());
        assertInstanceOf(MalformedFrame.class, decoder.decode("{\"type\":\"conversation.get\",\"x\":" + deep + "}"));
        assertInstanceOf(ChatRequest.class, decoder.decode("{\"messages\":" + "[".repeat(900) + "]".repeat(900) + "}"), "within the limit");
    }

    @Test
    void hugeNumbersAndLoneSurrogatesAreDecodedAsSent() {
        ChatRequest request = assertInstanceOf(ChatRequest.class,
                decoder.decode("{\"messages\":[{\"role\":\"user\",\"content\":\"\\ud800\"}],\"max_tokens\":1e1000000000,\"t\":1" + "0".repeat(1000) + "}"));
        assertEquals("\ud800", request.body().getJsonArray("messages").getJsonObject(0).getString("content"));
        assertEquals("it holds a number longer than the parser reads.", assertInstanceOf(MalformedFrame.class,
                decoder.decode("{\"messages\":[],\"n\":1" + "0".repeat(5000) + "}")).detail());
    }

    @Test
    void aFrameOverTheLimitIsNotParsed() {
        String within = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(1_048_000) + "\"}]}";
        assertInstanceOf(ChatRequest.class, decoder.decode(within));
        String over = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + "é".repeat(524_288) + "\"}]}";
        assertEquals(over.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, assertInstanceOf(OversizedFrame.class, decoder.decode(over)).bytes());
    }

    @Test
    void countsUtf8BytesOfEveryWidth() {
        assertEquals(1 + 2 + 3 + 4, FrameDecoder.utf8Length("aé日👋"));
        assertEquals("aé日👋".getBytes(java.nio.charset.StandardCharsets.UTF_8).length, FrameDecoder.utf8Length("aé日👋"));
    }

    @Test
    void relayedTextGoesOutByteForByte() {
        String chunk = "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"x_provider\":{\"n\":1.50},\"é\":\"\\u00e9\"}";
        assertEquals(chunk, encoder.encode(new RawFrame(chunk)));
    }

    @Test
    void errorFrameHasTheOpenAiEnvelopeWithNullParam() {
        assertEquals(Json.createReader(new java.io.StringReader(
                "{\"error\":{\"type\":\"invalid_request_error\",\"code\":\"turn_in_progress\",\"message\":\"busy\",\"param\":null}}")).readObject(),
                Json.createReader(new java.io.StringReader(encoder.encode(ErrorFrame.of(ErrorCode.TURN_IN_PROGRESS, "busy")))).readObject());
        assertEquals("{\"error\":{\"type\":\"upstream_error\",\"code\":\"upstream_error\",\"message\":\"m\",\"param\":null,\"status\":429}}",
                encoder.encode(ErrorFrame.upstream(429, "m")));
        assertEquals("{\"error\":{\"type\":\"rate_limit_error\",\"code\":\"rate_limited\",\"message\":\"m\",\"param\":null,\"retry_after\":12}}",
                encoder.encode(ErrorFrame.rateLimited(12, "m")));
    }

    @Test
    void conversationFrameCarriesTheHistoryAsIs() {
        var messages = Json.createArrayBuilder().add(Json.createObjectBuilder().add("role", "user").add("content", "hi").add("x", 1)).build();
        var ids = Json.createArrayBuilder().add("msg_0").build();
        var forks = Json.createObjectBuilder().build();
        assertEquals("{\"object\":\"conversation\",\"id\":\"conv_1\",\"created\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"x\":1}],"
                + "\"message_ids\":[\"msg_0\"],\"forks\":{},\"title\":null,\"settings\":{\"system\":null,\"model\":null,\"params\":{}},"
                + "\"usage\":{\"prompt_tokens\":0,\"completion_tokens\":0,\"total_tokens\":0,\"prompt_tokens_details\":{\"cached_tokens\":0},"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":0}}}",
                encoder.encode(new ConversationFrame("conv_1", 5, messages, ids, forks, null, ConversationFrame.NO_SETTINGS, TokenUsage.NONE.json(), null)));
        assertEquals("{\"object\":\"conversation\",\"id\":\"conv_1\",\"created\":5,\"messages\":[],\"message_ids\":[],\"forks\":{},"
                + "\"title\":\"T\",\"settings\":{\"system\":null,\"model\":null,\"params\":{}},\"usage\":{\"prompt_tokens\":3,"
                + "\"completion_tokens\":2,\"total_tokens\":5,\"prompt_tokens_details\":{\"cached_tokens\":1},"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":1}},\"trimmed\":2}",
                encoder.encode(new ConversationFrame("conv_1", 5, Json.createArrayBuilder().build(), Json.createArrayBuilder().build(), forks, "T",
                        ConversationFrame.NO_SETTINGS, new TokenUsage(3, 2, 1, 1).json(), 2)));
    }
}
