package dev.chatws.conversation.entity;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.bind.annotation.JsonbNillable;
import jakarta.json.bind.annotation.JsonbPropertyOrder;

/**
 * A whole conversation, every branch (PROTOCOL §12, {@code GET /api/conversations/{id}/export}):
 * <pre>{@code
 * {"object":"conversation.export","id":"conv_…","created":1732550000,"title":null,
 *  "settings":{"system":null,"model":null,"params":{}},"active":"msg_2",
 *  "messages":[{"id":"msg_0","parent":null,"message":{"role":"user","content":"hi"}},
 *              {"id":"msg_1","parent":"msg_0","message":{"role":"assistant","content":"Hello!"}},
 *              {"id":"msg_2","parent":"msg_0","message":{"role":"assistant","content":"Hey!"}}]}
 * }</pre>
 * {@code messages} in commit order; {@code active} the active leaf ({@code null} with no message).
 * Immutable.
 */
@JsonbPropertyOrder({"object", "id", "created", "title", "settings", "active", "messages"})
public record ConversationExport(String object, String id, long created, @JsonbNillable String title, JsonObject settings,
        @JsonbNillable String active, JsonArray messages) {

    /** The export of conversation {@code id}. */
    public ConversationExport(String id, long created, String title, JsonObject settings, String active, JsonArray messages) {
        this("conversation.export", id, created, title, settings, active, messages);
    }
}
