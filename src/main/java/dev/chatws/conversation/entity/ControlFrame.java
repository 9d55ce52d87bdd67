package dev.chatws.conversation.entity;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * A control frame: a JSON object with a {@code type} member.
 *
 * <pre>{@code
 * {"type":"response.cancel"}
 * {"type":"conversation.get"}
 * }</pre>
 * Immutable.
 */
public record ControlFrame(JsonObject body) implements InboundFrame {

    /** The frame types this server knows. */
    public static final String CANCEL = "response.cancel";
    public static final String GET_CONVERSATION = "conversation.get";
    public static final String REGENERATE = "response.regenerate";
    public static final String EDIT = "message.edit";
    public static final String SWITCH = "branch.switch";
    public static final String UPDATE = "conversation.update";

    /** The {@code type} member if it is a string, else {@code null}. */
    public String type() {
        JsonValue type = body.get("type");
        return type instanceof JsonString text ? text.getString() : null;
    }
}
