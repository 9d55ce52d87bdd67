package dev.chatws.simulator.entity;

import jakarta.json.bind.annotation.JsonbProperty;
import jakarta.json.bind.annotation.JsonbPropertyOrder;

/**
 * Token usage of a completion, with every detail OpenAI and Anthropic-compatible gateways report.
 *
 * <pre>{@code
 * {"prompt_tokens":120,"completion_tokens":12,"total_tokens":132,
 *  "prompt_tokens_details":{"cached_tokens":96,"audio_tokens":0},
 *  "completion_tokens_details":{"reasoning_tokens":4,"audio_tokens":0,
 *   "accepted_prediction_tokens":0,"rejected_prediction_tokens":0},
 *  "cache_creation_input_tokens":0,"cache_read_input_tokens":96}
 * }</pre>
 * Immutable.
 */
@JsonbPropertyOrder({"promptTokens", "completionTokens", "totalTokens", "promptTokensDetails",
        "completionTokensDetails", "cacheCreationInputTokens", "cacheReadInputTokens"})
public record Usage(
        @JsonbProperty("prompt_tokens") int promptTokens,
        @JsonbProperty("completion_tokens") int completionTokens,
        @JsonbProperty("total_tokens") int totalTokens,
        @JsonbProperty("prompt_tokens_details") PromptTokensDetails promptTokensDetails,
        @JsonbProperty("completion_tokens_details") CompletionTokensDetails completionTokensDetails,
        @JsonbProperty("cache_creation_input_tokens") Integer cacheCreationInputTokens,
        @JsonbProperty("cache_read_input_tokens") Integer cacheReadInputTokens) {

    /** Where the prompt tokens came from. */
    @JsonbPropertyOrder({"cachedTokens", "audioTokens"})
    public record PromptTokensDetails(
            @JsonbProperty("cached_tokens") Integer cachedTokens,
            @JsonbProperty("audio_tokens") Integer audioTokens) {
    }

    /** What the completion tokens were spent on. */
    @JsonbPropertyOrder({"reasoningTokens", "audioTokens", "acceptedPredictionTokens", "rejectedPredictionTokens"})
    public record CompletionTokensDetails(
            @JsonbProperty("reasoning_tokens") Integer reasoningTokens,
            @JsonbProperty("audio_tokens") Integer audioTokens,
            @JsonbProperty("accepted_prediction_tokens") Integer acceptedPredictionTokens,
            @JsonbProperty("rejected_prediction_tokens") Integer rejectedPredictionTokens) {
    }
}
