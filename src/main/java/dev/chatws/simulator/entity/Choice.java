package dev.chatws.simulator.entity;

import jakarta.json.bind.annotation.JsonbNillable;
import jakarta.json.bind.annotation.JsonbProperty;
import jakarta.json.bind.annotation.JsonbPropertyOrder;

/**
 * One choice of a whole completion.
 *
 * <pre>{@code
 * {"index":0,"message":{"role":"assistant","content":"Hello"},"logprobs":null,"finish_reason":"stop"}
 * }</pre>
 * Immutable.
 */
@JsonbPropertyOrder({"index", "message", "logprobs", "finishReason"})
public record Choice(
        int index,
        ChatMessage message,
        @JsonbNillable @JsonbProperty("logprobs") Logprobs logprobs,
        @JsonbNillable @JsonbProperty("finish_reason") String finishReason) {
}
