package dev.chatws.conversation.control;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

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
        boolean streaming = request.get("stream") != JsonValue.FALSE;
        JsonObjectBuilder body = CompletionAggregate.JSON.createObjectBuilder();
        if (!request.containsKey("model")) {
            body.add("model", defaultModel);
        }
        for (Map.Entry<String, JsonValue> member : request.entrySet()) {
            String name = member.getKey();
            JsonValue value = member.getValue();
            switch (name) {
                case "messages" -> body.add(name, array(messages));
                case "stream" -> body.add(name, streaming);
                case "stream_options" -> {
                    if (streaming) {
                        body.add(name, includeUsage(value));
                    }
                }
                default -> body.add(name, value);
            }
        }
        if (!request.containsKey("stream")) {
            body.add("stream", streaming);
        }
        if (streaming && !request.containsKey("stream_options")) {
            body.add("stream_options", includeUsage(JsonValue.NULL));
        }
        return body.build().toString().getBytes(StandardCharsets.UTF_8);
    }

    private static JsonArrayBuilder array(List<JsonObject> messages) {
        JsonArrayBuilder all = CompletionAggregate.JSON.createArrayBuilder();
        messages.forEach(all::add);
        return all;
    }

    private static JsonObject includeUsage(JsonValue clientOptions) {
        JsonObjectBuilder options = clientOptions.getValueType() == JsonValue.ValueType.OBJECT
                ? CompletionAggregate.JSON.createObjectBuilder(clientOptions.asJsonObject())
                : CompletionAggregate.JSON.createObjectBuilder();
        return options.add("include_usage", true).build();
    }
}
