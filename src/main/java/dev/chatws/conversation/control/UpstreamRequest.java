package dev.chatws.conversation.control;

import dev.chatws.json.JsonText;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Builds the body sent upstream for a turn from the client's chat request: every member the client
 * sent, in its order and unchanged (provider extensions such as {@code top_k} included), except
 * <ul>
 * <li>{@code messages}: the messages the conversation chose (its history, within the budget,
 *     followed by the request's new messages);</li>
 * <li>{@code model}: the configured default when the client named none;</li>
 * <li>{@code stream}: always explicit, {@code true} unless the client said {@code false};</li>
 * <li>{@code stream_options}: when streaming, the client's with {@code include_usage} forced to
 *     {@code true}; when not streaming, left out.</li>
 * </ul>
 * Stateless and thread-safe.
 */
final class UpstreamRequest {

    private UpstreamRequest() {
    }

    static byte[] body(List<JsonObject> messages, JsonObject request, String defaultModel) {
        return body(messages, JsonObject::toString, request, defaultModel);
    }

    /**
     * The body, with each message written as {@code text} gives it (a history message's JSON text
     * as it was committed, so a long history is not serialised again on every turn).
     */
    static byte[] body(List<JsonObject> messages, Function<JsonObject, String> text, JsonObject request, String defaultModel) {
        boolean streaming = request.get("stream") != JsonValue.FALSE;
        StringBuilder body = new StringBuilder(256);
        body.append('{');
        if (!request.containsKey("model")) {
            member(body, "model").append(JsonText.PROVIDER.createValue(defaultModel));
        }
        for (Map.Entry<String, JsonValue> entry : request.entrySet()) {
            String name = entry.getKey();
            JsonValue value = entry.getValue();
            switch (name) {
                case "messages" -> {
                    member(body, name).append('[');
                    for (int i = 0; i < messages.size(); i++) {
                        body.append(i == 0 ? "" : ",").append(text.apply(messages.get(i)));
                    }
                    body.append(']');
                }
                case "stream" -> member(body, name).append(streaming);
                case "stream_options" -> {
                    if (streaming) {
                        member(body, name).append(includeUsage(value));
                    }
                }
                default -> member(body, name).append(value);
            }
        }
        if (!request.containsKey("stream")) {
            member(body, "stream").append(streaming);
        }
        if (streaming && !request.containsKey("stream_options")) {
            member(body, "stream_options").append(includeUsage(JsonValue.NULL));
        }
        return JsonText.wellFormed(body.append('}').toString()).getBytes(StandardCharsets.UTF_8);
    }

    /** Appends the member name (quoted and escaped as JSON) and its colon, after a comma unless first. */
    private static StringBuilder member(StringBuilder body, String name) {
        if (body.length() > 1) {
            body.append(',');
        }
        return body.append(JsonText.PROVIDER.createValue(name)).append(':');
    }

    private static JsonObject includeUsage(JsonValue clientOptions) {
        JsonObjectBuilder options = clientOptions.getValueType() == JsonValue.ValueType.OBJECT
                ? JsonText.PROVIDER.createObjectBuilder(clientOptions.asJsonObject())
                : JsonText.PROVIDER.createObjectBuilder();
        return options.add("include_usage", true).build();
    }
}
