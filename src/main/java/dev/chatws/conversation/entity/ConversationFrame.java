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
 * {@code messages} is the committed history, each message exactly as it goes upstream. Immutable.
 */
@JsonbPropertyOrder({"object", "id", "created", "messages"})
public record ConversationFrame(String object, String id, long created, JsonArray messages) implements ServerFrame {

    /** The frame for conversation {@code id}, created at {@code created} (epoch seconds). */
    public ConversationFrame(String id, long created, JsonArray messages) {
        this("conversation", id, created, messages);
    }
}
