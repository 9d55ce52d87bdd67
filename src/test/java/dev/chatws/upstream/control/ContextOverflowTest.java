package dev.chatws.upstream.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chatws.json.JsonText;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The context-overflow refusals of the servers people put behind chat-ws, as they word them, and what is not one. */
class ContextOverflowTest {

    private static Optional<ContextOverflow> of(int status, String body) {
        return ContextOverflow.of(status, JsonText.object(body));
    }

    @Test
    void llamaCppSaysBothSizes() {
        // ../shared/upstream-samples/llama.cpp/err-ctx-overflow.txt, byte for byte.
        ContextOverflow overflow = of(400, "{\"error\":{\"code\":400,\"message\":\"request (6030 tokens) exceeds the available context size (4096 tokens), try increasing it\",\"type\":\"exceed_context_size_error\",\"n_prompt_tokens\":6030,\"n_ctx\":4096}}").orElseThrow();
        assertEquals(OptionalLong.of(4096), overflow.contextTokens());
        assertEquals(OptionalLong.of(6030), overflow.promptTokens());
        assertEquals((long) (6000 * (4096.0 / 6030) * 0.9), overflow.smallerBudget(6000), "scaled down, with a tenth held back");
    }

    @Test
    void openAiAndVllmSayItInTheMessage() {
        ContextOverflow openAi = of(400, "{\"error\":{\"message\":\"This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens. Please reduce the length of the messages.\",\"type\":\"invalid_request_error\",\"param\":\"messages\",\"code\":\"context_length_exceeded\"}}").orElseThrow();
        assertEquals(OptionalLong.of(8192), openAi.contextTokens());
        assertEquals(OptionalLong.of(9000), openAi.promptTokens());
        ContextOverflow vllm = of(400, "{\"object\":\"error\",\"message\":\"This model's maximum context length is 4096 tokens. However, you requested 5000 tokens (4000 in the messages, 1000 in the completion). Please reduce the length of the messages or completion.\",\"type\":\"BadRequestError\",\"param\":null,\"code\":400}").orElseThrow();
        assertEquals(OptionalLong.of(4096), vllm.contextTokens());
    }

    @Test
    void otherWordingsAreOverflowsOfUnknownSizeAndHalveTheBudget() {
        ContextOverflow ollama = of(400, "{\"error\":{\"message\":\"the input length exceeds the context length\",\"type\":\"api_error\"}}").orElseThrow();
        assertEquals(OptionalLong.empty(), ollama.contextTokens());
        assertEquals(500, ollama.smallerBudget(1000));
        assertTrue(of(413, "{\"error\":{\"type\":\"invalid_request_error\",\"message\":\"prompt is too long: 210000 tokens > 200000 maximum\"}}").isPresent());
    }

    @Test
    void otherRefusalsAreNot() {
        assertTrue(of(400, "{\"error\":{\"message\":\"Invalid value for 'temperature'\",\"code\":\"invalid_value\"}}").isEmpty());
        assertTrue(of(500, "{\"error\":{\"code\":500,\"message\":\"Failed to parse tool call arguments as JSON\",\"type\":\"server_error\"}}").isEmpty());
        assertTrue(of(429, "{\"error\":{\"code\":\"context_length_exceeded\"}}").isEmpty(), "only 400 and 413");
    }
}
