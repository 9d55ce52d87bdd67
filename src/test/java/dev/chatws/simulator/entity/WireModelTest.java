package dev.chatws.simulator.entity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.io.StringReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The records carry every member of the spec's response shapes, and write them back unchanged. */
class WireModelTest {

    private static final Jsonb JSONB = JsonbBuilder.create();

    static final String COMPLETION = """
            {"id":"chatcmpl-1","object":"chat.completion","created":1732550000,"model":"gpt-4o-2024-08-06",
             "choices":[{"index":0,
               "message":{"role":"assistant","content":"Hi","refusal":"no",
                 "tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{\\"a\\":1}"}}]},
               "logprobs":{"content":[{"token":"Hi","logprob":-0.25,"bytes":[72,105],
                 "top_logprobs":[{"token":"Hi","logprob":-0.25,"bytes":[72,105]},{"token":"Hey","logprob":-1.5,"bytes":[72,101,121]}]}],
                 "refusal":[{"token":"no","logprob":-2.0,"bytes":[110,111],"top_logprobs":[]}]},
               "finish_reason":"tool_calls"}],
             "usage":{"prompt_tokens":120,"completion_tokens":12,"total_tokens":132,
               "prompt_tokens_details":{"cached_tokens":96,"audio_tokens":0},
               "completion_tokens_details":{"reasoning_tokens":4,"audio_tokens":0,"accepted_prediction_tokens":1,"rejected_prediction_tokens":2},
               "cache_creation_input_tokens":7,"cache_read_input_tokens":96},
             "service_tier":"default","system_fingerprint":"fp_1"}""";

    static final String CHUNK = """
            {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1732550000,"model":"gpt-4o","system_fingerprint":"fp_1",
             "service_tier":"default","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel",
               "tool_calls":[{"index":1,"id":"call_2","type":"function","function":{"name":"g","arguments":""}}]},
               "logprobs":null,"finish_reason":null}]}""";

    @AfterAll
    static void close() throws Exception {
        JSONB.close();
    }

    @Test
    void completionRoundTripsEveryMember() {
        ChatCompletion completion = JSONB.fromJson(COMPLETION, ChatCompletion.class);
        assertEquals(96, completion.usage().promptTokensDetails().cachedTokens());
        assertEquals(2, completion.usage().completionTokensDetails().rejectedPredictionTokens());
        assertEquals(7, completion.usage().cacheCreationInputTokens());
        assertEquals("Hey", completion.choices().get(0).logprobs().content().get(0).topLogprobs().get(1).token());
        assertEquals("{\"a\":1}", completion.choices().get(0).message().toolCalls().get(0).function().arguments());
        assertEquals(json(COMPLETION), json(JSONB.toJson(completion)));
    }

    @Test
    void chunkRoundTripsWithItsNulls() {
        ChatCompletionChunk chunk = JSONB.fromJson(CHUNK, ChatCompletionChunk.class);
        assertNull(chunk.choices().get(0).finishReason());
        assertEquals(1, chunk.choices().get(0).delta().toolCalls().get(0).index());
        assertEquals(json(CHUNK), json(JSONB.toJson(chunk)));
    }

    @Test
    void requestReadsContentPartsAndToolsAndIgnoresUnknownMembers() {
        ChatCompletionRequest request = JSONB.fromJson("""
                {"model":"m","top_k":5,"messages":[{"role":"user","content":[{"type":"text","text":"a"},
                 {"type":"image_url","image_url":{"url":"data:,"}},{"type":"text","text":"b"}]}],
                 "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],
                 "tool_choice":{"type":"function","function":{"name":"f"}},"stream_options":{"include_usage":true},
                 "response_format":{"type":"json_object"},"logit_bias":{"50256":-100}}""", ChatCompletionRequest.class);
        assertEquals("ab", request.messages().get(0).contentText());
        assertEquals("f", request.tools().get(0).function().name());
        assertEquals(true, request.includeUsage());
        assertEquals(true, request.streaming());
        assertEquals(-100, request.logitBias().get("50256"));
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }
}
