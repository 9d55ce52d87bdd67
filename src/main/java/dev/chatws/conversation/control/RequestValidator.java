package dev.chatws.conversation.control;

import dev.chatws.conversation.entity.ChatRequest;
import dev.chatws.conversation.entity.ErrorCode;
import dev.chatws.conversation.entity.ErrorFrame;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a chat request against the protocol's rules (§3.3): {@code messages} is a non-empty array
 * of message objects with a known {@code role}; {@code content} is a string or an array of
 * content-part objects, and may be null or absent only on an {@code assistant} message with
 * {@code tool_calls}; a {@code tool} message has a string {@code tool_call_id}; {@code model} is a
 * string and {@code stream} a boolean if present. Everything else is the upstream's to judge.
 *
 * <p>Stateless and thread-safe.
 */
public final class RequestValidator {

    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

    private RequestValidator() {
    }

    /** The first rule {@code request} breaks, as an {@code invalid_request} error; empty if none. */
    public static Optional<ErrorFrame> check(ChatRequest request) {
        JsonObject body = request.body();
        JsonValue messages = body.get("messages");
        if (messages == null) {
            return invalid("messages", "messages is required: an array of the new messages of this turn.");
        }
        if (messages.getValueType() != JsonValue.ValueType.ARRAY) {
            return invalid("messages", "messages must be an array of message objects.");
        }
        JsonArray list = messages.asJsonArray();
        if (list.isEmpty()) {
            return invalid("messages", "messages must hold at least one message.");
        }
        for (int i = 0; i < list.size(); i++) {
            Optional<ErrorFrame> error = checkMessage(list.get(i), "messages[" + i + "]");
            if (error.isPresent()) {
                return error;
            }
        }
        JsonValue model = body.get("model");
        if (model != null && model.getValueType() != JsonValue.ValueType.STRING) {
            return invalid("model", "model must be a string.");
        }
        JsonValue stream = body.get("stream");
        if (stream != null && stream != JsonValue.TRUE && stream != JsonValue.FALSE) {
            return invalid("stream", "stream must be true or false.");
        }
        return Optional.empty();
    }

    private static Optional<ErrorFrame> checkMessage(JsonValue value, String path) {
        if (value.getValueType() != JsonValue.ValueType.OBJECT) {
            return invalid(path, path + " must be a message object.");
        }
        JsonObject message = value.asJsonObject();
        JsonValue roleValue = message.get("role");
        String role = roleValue instanceof JsonString text ? text.getString() : null;
        if (role == null || !ROLES.contains(role)) {
            return invalid(path + ".role", path + ".role must be one of system, developer, user, assistant, tool.");
        }
        JsonValue content = message.get("content");
        boolean absent = content == null || content.getValueType() == JsonValue.ValueType.NULL;
        if (absent) {
            JsonValue toolCalls = message.get("tool_calls");
            boolean hasToolCalls = toolCalls != null && toolCalls.getValueType() == JsonValue.ValueType.ARRAY
                    && !toolCalls.asJsonArray().isEmpty();
            if (!"assistant".equals(role) || !hasToolCalls) {
                return invalid(path + ".content", path + ".content is required"
                        + " (only an assistant message with tool_calls may leave it out).");
            }
        } else if (content.getValueType() == JsonValue.ValueType.ARRAY) {
            JsonArray parts = content.asJsonArray();
            for (int p = 0; p < parts.size(); p++) {
                if (parts.get(p).getValueType() != JsonValue.ValueType.OBJECT) {
                    return invalid(path + ".content[" + p + "]", path + ".content[" + p + "] must be a content-part object.");
                }
            }
        } else if (content.getValueType() != JsonValue.ValueType.STRING) {
            return invalid(path + ".content", path + ".content must be a string or an array of content parts.");
        }
        if ("tool".equals(role) && !(message.get("tool_call_id") instanceof JsonString)) {
            return invalid(path + ".tool_call_id", path + ".tool_call_id must be the string id of the tool call it answers.");
        }
        return Optional.empty();
    }

    private static Optional<ErrorFrame> invalid(String param, String message) {
        return Optional.of(ErrorFrame.about(ErrorCode.INVALID_REQUEST, param, message));
    }
}
