package dev.chatws.simulator.entity;

import jakarta.json.bind.annotation.JsonbNillable;
import jakarta.json.bind.annotation.JsonbProperty;
import jakarta.json.bind.annotation.JsonbPropertyOrder;
import java.util.List;

/**
 * Log probabilities of a choice's tokens ({@code logprobs: true}, {@code top_logprobs: n}).
 *
 * <pre>{@code
 * {"content":[{"token":"Hi","logprob":-0.01,"bytes":[72,105],
 *   "top_logprobs":[{"token":"Hi","logprob":-0.01,"bytes":[72,105]}]}],"refusal":null}
 * }</pre>
 * Immutable.
 */
@JsonbNillable
@JsonbPropertyOrder({"content", "refusal"})
public record Logprobs(@JsonbNillable List<TokenLogprob> content, @JsonbNillable List<TokenLogprob> refusal) {

    /** One token with its log probability, UTF-8 bytes and the most likely alternatives. */
    @JsonbPropertyOrder({"token", "logprob", "bytes", "topLogprobs"})
    public record TokenLogprob(
            String token,
            double logprob,
            List<Integer> bytes,
            @JsonbProperty("top_logprobs") List<TopLogprob> topLogprobs) {
    }

    /** An alternative token at the same position. */
    @JsonbPropertyOrder({"token", "logprob", "bytes"})
    public record TopLogprob(String token, double logprob, List<Integer> bytes) {
    }
}
