package dev.chatws.conversation.entity;

import dev.chatws.json.JsonText;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * Tokens summed over committed turns, of a conversation or of a user: prompt, completion, and of
 * those the cached prompt and the reasoning completion tokens, as the upstream reported them in
 * each turn's {@code usage}. Shown in OpenAI's shape:
 * <pre>{@code
 * {"prompt_tokens":120,"completion_tokens":48,"total_tokens":168,
 *  "prompt_tokens_details":{"cached_tokens":64},"completion_tokens_details":{"reasoning_tokens":0}}
 * }</pre>
 * Immutable.
 */
public record TokenUsage(long prompt, long completion, long cached, long reasoning) {

    /** Nothing counted yet. */
    public static final TokenUsage NONE = new TokenUsage(0, 0, 0, 0);

    /** What an upstream {@code usage} object reports (members it lacks count 0; not an object: nothing). */
    public static TokenUsage of(JsonValue usage) {
        if (!(usage instanceof JsonObject object)) {
            return NONE;
        }
        return new TokenUsage(count(object.get("prompt_tokens")), count(object.get("completion_tokens")),
                count(detail(object, "prompt_tokens_details", "cached_tokens")),
                count(detail(object, "completion_tokens_details", "reasoning_tokens")));
    }

    private static JsonValue detail(JsonObject usage, String details, String member) {
        return usage.get(details) instanceof JsonObject object ? object.get(member) : null;
    }

    /** A non-negative whole count, else 0 (an upstream that reports nonsense adds nothing). */
    private static long count(JsonValue value) {
        if (value instanceof JsonNumber number && number.isIntegral()) {
            try {
                return Math.max(0, number.longValueExact());
            } catch (ArithmeticException e) {
                return 0;
            }
        }
        return 0;
    }

    /** This and {@code more}, summed. */
    public TokenUsage plus(TokenUsage more) {
        return new TokenUsage(prompt + more.prompt, completion + more.completion, cached + more.cached, reasoning + more.reasoning);
    }

    /** Whether nothing was counted. */
    public boolean isEmpty() {
        return equals(NONE);
    }

    /** As OpenAI's {@code usage} object. */
    public JsonObject json() {
        return JsonText.PROVIDER.createObjectBuilder()
                .add("prompt_tokens", prompt)
                .add("completion_tokens", completion)
                .add("total_tokens", prompt + completion)
                .add("prompt_tokens_details", JsonText.PROVIDER.createObjectBuilder().add("cached_tokens", cached))
                .add("completion_tokens_details", JsonText.PROVIDER.createObjectBuilder().add("reasoning_tokens", reasoning))
                .build();
    }
}
