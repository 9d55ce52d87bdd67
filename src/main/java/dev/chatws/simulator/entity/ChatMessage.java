package dev.chatws.simulator.entity;

import dev.chatws.json.JsonText;
import jakarta.json.JsonValue;
import jakarta.json.bind.annotation.JsonbProperty;
import jakarta.json.bind.annotation.JsonbPropertyOrder;
import java.util.List;

/**
 * A message of any role, or the delta of one in a chunk. {@code content} is a JSON value because
 * the spec allows a string or an array of content parts ({@code {"type":"text","text":"…"}},
 * {@code {"type":"image_url","image_url":{"url":"…"}}}, …).
 *
 * <pre>{@code
 * {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
 *  "function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]}
 * {"role":"tool","tool_call_id":"call_1","content":"12 °C"}
 * }</pre>
 * Immutable.
 */
@JsonbPropertyOrder({"role", "name", "content", "refusal", "reasoningContent", "toolCalls", "toolCallId"})
public record ChatMessage(
        String role,
        String name,
        JsonValue content,
        String refusal,
        @JsonbProperty("reasoning_content") String reasoningContent,
        @JsonbProperty("tool_calls") List<ToolCall> toolCalls,
        @JsonbProperty("tool_call_id") String toolCallId) {

    /** A message of {@code role} with text content. */
    public static ChatMessage text(String role, String text) {
        return new ChatMessage(role, null, JsonText.PROVIDER.createValue(text), null, null, null, null);
    }

    /** A delta that carries only a piece of text content. */
    public static ChatMessage contentDelta(String text) {
        return text(null, text);
    }

    /** A delta that carries only tool-call fragments. */
    public static ChatMessage toolCallDelta(List<ToolCall> fragments) {
        return new ChatMessage(null, null, null, null, null, fragments, null);
    }

    /** The content as text: the string itself, or the text parts joined; {@code null} if none. */
    public String contentText() {
        if (content == null || content.getValueType() == JsonValue.ValueType.NULL) {
            return null;
        }
        if (content.getValueType() == JsonValue.ValueType.STRING) {
            return ((jakarta.json.JsonString) content).getString();
        }
        if (content.getValueType() == JsonValue.ValueType.ARRAY) {
            StringBuilder text = new StringBuilder();
            for (JsonValue part : content.asJsonArray()) {
                if (part.getValueType() == JsonValue.ValueType.OBJECT
                        && "text".equals(part.asJsonObject().getString("type", null))) {
                    text.append(part.asJsonObject().getString("text", ""));
                }
            }
            return text.toString();
        }
        return content.toString();
    }
}
