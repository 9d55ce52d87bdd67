package dev.chatws.simulator.entity;

import jakarta.json.bind.annotation.JsonbNillable;
import jakarta.json.bind.annotation.JsonbProperty;
import jakarta.json.bind.annotation.JsonbPropertyOrder;
import java.util.List;

/**
 * A whole chat completion ({@code "object":"chat.completion"}): the non-streaming response, and
 * the terminal frame of every turn.
 *
 * <pre>{@code
 * {"id":"chatcmpl-1","object":"chat.completion","created":1732550000,"model":"gpt-4o-mini",
 *  "choices":[{"index":0,"message":{"role":"assistant","content":"Hello"},
 *  "logprobs":null,"finish_reason":"stop"}],
 *  "usage":{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10},
 *  "system_fingerprint":"fp_1"}
 * }</pre>
 * Immutable.
 */
@JsonbPropertyOrder({"id", "object", "created", "model", "choices", "usage", "serviceTier", "systemFingerprint"})
public record ChatCompletion(
        String id,
        String object,
        Long created,
        String model,
        List<Choice> choices,
        @JsonbNillable Usage usage,
        @JsonbProperty("service_tier") String serviceTier,
        @JsonbNillable @JsonbProperty("system_fingerprint") String systemFingerprint) {

    /** The {@code object} value of a completion. */
    public static final String OBJECT = "chat.completion";
}
