package dev.chatws.simulator.entity;

import jakarta.json.bind.annotation.JsonbNillable;
import jakarta.json.bind.annotation.JsonbProperty;
import jakarta.json.bind.annotation.JsonbPropertyOrder;
import java.util.List;

/**
 * One streamed event of a chat completion ({@code "object":"chat.completion.chunk"}).
 *
 * <pre>{@code
 * {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1732550000,"model":"gpt-4o-mini",
 *  "system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"content":"Hel"},
 *  "logprobs":null,"finish_reason":null}]}
 * }</pre>
 * The trailing usage chunk has empty {@code choices} and a {@code usage}. Immutable.
 */
@JsonbPropertyOrder({"id", "object", "created", "model", "systemFingerprint", "serviceTier", "choices", "usage"})
public record ChatCompletionChunk(
        String id,
        String object,
        Long created,
        String model,
        @JsonbNillable @JsonbProperty("system_fingerprint") String systemFingerprint,
        @JsonbProperty("service_tier") String serviceTier,
        List<ChunkChoice> choices,
        Usage usage) {

    /** The {@code object} value of a chunk. */
    public static final String OBJECT = "chat.completion.chunk";
}
