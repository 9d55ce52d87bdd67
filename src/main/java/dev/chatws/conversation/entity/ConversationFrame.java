package dev.chatws.conversation.entity;

import dev.chatws.json.JsonText;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.bind.annotation.JsonbNillable;
import jakarta.json.bind.annotation.JsonbProperty;
import jakarta.json.bind.annotation.JsonbPropertyOrder;

/**
 * The {@code conversation} frame: the first frame on every connection, and the answer to
 * {@code conversation.get}.
 *
 * <pre>{@code
 * {"object":"conversation","id":"conv_3q2+…","created":1732550000,
 *  "messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"Hello!"}],
 *  "message_ids":["msg_0","msg_1"],"forks":{},"title":null,"settings":{"system":null,"model":null,"params":{}},
 *  "usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11,…}}
 * }</pre>
 * {@code messages} is the active path of the committed history (PROTOCOL §8), each message exactly
 * as it goes upstream, and {@code message_ids} its ids; {@code forks} names the messages on it that
 * have alternatives, and lists them; {@code title} and {@code settings} are the conversation's
 * (§10); {@code usage} the tokens its committed turns used, summed (prompt, completion, cached,
 * reasoning; OpenAI's shape). When the
 * last turn sent upstream less than the whole history (the token budget), {@code trimmed} says how
 * many of its first messages were left out (after the leading system/developer ones); otherwise
 * the member is absent. Immutable.
 */
@JsonbPropertyOrder({"object", "id", "created", "messages", "messageIds", "forks", "title", "settings", "usage", "trimmed"})
public record ConversationFrame(String object, String id, long created, JsonArray messages,
        @JsonbProperty("message_ids") JsonArray messageIds, JsonObject forks, @JsonbNillable String title, JsonObject settings,
        JsonObject usage, Integer trimmed) implements ServerFrame {

    /** No settings: {@code {"system":null,"model":null,"params":{}}} (PROTOCOL §10). */
    public static final JsonObject NO_SETTINGS = JsonText.object("{\"system\":null,\"model\":null,\"params\":{}}");

    /** The frame for conversation {@code id}, created at {@code created} (epoch seconds). */
    public ConversationFrame(String id, long created, JsonArray messages, JsonArray messageIds, JsonObject forks, String title,
            JsonObject settings, JsonObject usage, Integer trimmed) {
        this("conversation", id, created, messages, messageIds, forks, title, settings, usage, trimmed);
    }
}
