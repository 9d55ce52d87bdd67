package dev.chatws.simulator.entity;

import jakarta.json.bind.annotation.JsonbNillable;
import jakarta.json.bind.annotation.JsonbProperty;
import jakarta.json.bind.annotation.JsonbPropertyOrder;

/**
 * One choice of a streamed chunk: the delta of message {@code index}.
 *
 * <pre>{@code
 * {"index":0,"delta":{"role":"assistant","content":"Hi"},"logprobs":null,"finish_reason":null}
 * }</pre>
 * Immutable.
 */
@JsonbPropertyOrder({"index", "delta", "logprobs", "finishReason"})
public record ChunkChoice(
        int index,
        ChatMessage delta,
        @JsonbNillable @JsonbProperty("logprobs") Logprobs logprobs,
        @JsonbNillable @JsonbProperty("finish_reason") String finishReason) {
}
