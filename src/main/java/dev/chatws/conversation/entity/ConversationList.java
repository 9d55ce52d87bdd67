package dev.chatws.conversation.entity;

import jakarta.json.JsonObject;
import jakarta.json.bind.annotation.JsonbNillable;
import jakarta.json.bind.annotation.JsonbProperty;
import jakarta.json.bind.annotation.JsonbPropertyOrder;
import java.util.List;

/**
 * A page of a user's conversations (PROTOCOL §12, {@code GET /api/conversations}), in OpenAI's
 * list envelope, most recently updated first:
 * <pre>{@code
 * {"object":"list","data":[{"id":"conv_…","object":"conversation.summary","created":1732550000,"updated":1732550042,
 *   "title":"Trip to Lisbon","messages":4,"model":"gpt-4o-mini","usage":{"prompt_tokens":120,…}}],
 *  "first_id":"conv_…","last_id":"conv_…","has_more":false}
 * }</pre>
 * {@code after=<last_id>} asks for the next page. Immutable.
 */
@JsonbPropertyOrder({"object", "data", "firstId", "lastId", "hasMore"})
public record ConversationList(String object, List<Item> data, @JsonbNillable @JsonbProperty("first_id") String firstId,
        @JsonbNillable @JsonbProperty("last_id") String lastId, @JsonbProperty("has_more") boolean hasMore) {

    /** The page {@code data}, with more to follow or not. */
    public ConversationList(List<Item> data, boolean hasMore) {
        this("list", data, data.isEmpty() ? null : data.get(0).id(), data.isEmpty() ? null : data.get(data.size() - 1).id(), hasMore);
    }

    /**
     * One conversation of the list: {@code messages} counts its active path; {@code model} is its
     * last committed turn's (null before one); {@code usage} sums its committed turns' tokens.
     */
    @JsonbPropertyOrder({"id", "object", "created", "updated", "title", "messages", "model", "usage"})
    public record Item(String id, String object, long created, long updated, @JsonbNillable String title, int messages,
            @JsonbNillable String model, JsonObject usage) {

        public Item(String id, long created, long updated, String title, int messages, String model, JsonObject usage) {
            this(id, "conversation.summary", created, updated, title, messages, model, usage);
        }
    }
}
