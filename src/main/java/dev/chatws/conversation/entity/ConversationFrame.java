package dev.chatws.conversation.entity;

import jakarta.json.JsonArray;
import jakarta.json.bind.annotation.JsonbPropertyOrder;

/**
 * The {@code conversation} frame: the first frame on every connection, and the answer to
 * {@code conversation.get}.
 *
 * <pre>{@code
 * {"object":"conversation","id":"conv_3q2+…","created":1732550000,
 *  "messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"Hello!"}]}
 * }</pre>
 * {@code messages} is the committed history, each message exactly as it goes upstream. When the
 * last turn sent upstream less than the whole history (the token budget), {@code trimmed} says how
 * many of its first messages were left out (after the leading system/developer ones); otherwise
 * the member is absent. Immutable.
 */
@JsonbPropertyOrder({"object", "id", "created", "messages", "trimmed"})
public record ConversationFrame(String object, String id, long created, JsonArray messages, Integer trimmed) implements ServerFrame {

    /** The frame for conversation {@code id}, created at {@code created} (epoch seconds). */
    public ConversationFrame(String id, long created, JsonArray messages, Integer trimmed) {
        this("conversation", id, created, messages, trimmed);
    }
}
