package dev.chatws.conversation.control;

import static dev.chatws.json.JsonText.PROVIDER;

import dev.chatws.json.JsonText;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.Optional;

/**
 * What a turn adds to the history (PROTOCOL §4): the request's messages, then the assistant's
 * message of choice 0 reduced to its standard members; other choices, logprobs and the upstream's
 * own members are relayed but not kept. Stateless.
 */
final class HistoryRules {

    private HistoryRules() {
    }

    /** The assistant message of choice 0 of a non-streamed {@code chat.completion}, if it has one. */
    static Optional<JsonObject> assistantOf(JsonObject completion) {
        JsonValue choices = completion.get("choices");
        if (choices != null && choices.getValueType() == JsonValue.ValueType.ARRAY) {
            for (JsonValue choice : choices.asJsonArray()) {
                if (choice.getValueType() == JsonValue.ValueType.OBJECT
                        && JsonText.index(choice.asJsonObject().get("index"), 0) == 0
                        && choice.asJsonObject().get("message") instanceof JsonObject assistant) {
                    return assistant(assistant, false);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The standard members of an assistant message ({@code role}, {@code content},
     * {@code tool_calls}, {@code refusal} if non-null, {@code name}). Cancelled, tool calls whose
     * arguments were cut off are left out, and there is no message if nothing of it is left.
     */
    static Optional<JsonObject> assistant(JsonObject message, boolean cancelled) {
        JsonObjectBuilder out = PROVIDER.createObjectBuilder();
        out.add("role", message.getOrDefault("role", PROVIDER.createValue("assistant")));
        JsonValue content = message.getOrDefault("content", JsonValue.NULL);
        out.add("content", content);
        boolean hasSomething = !DeltaMerge.isEmpty(content);
        JsonValue calls = message.get("tool_calls");
        if (calls != null && calls.getValueType() == JsonValue.ValueType.ARRAY) {
            JsonArrayBuilder kept = PROVIDER.createArrayBuilder();
            int count = 0;
            for (JsonValue call : calls.asJsonArray()) {
                if (!cancelled || argumentsComplete(call)) {
                    kept.add(call);
                    count++;
                }
            }
            if (count > 0) {
                out.add("tool_calls", kept);
                hasSomething = true;
            }
        }
        JsonValue refusal = message.get("refusal");
        if (refusal != null && refusal.getValueType() != JsonValue.ValueType.NULL) {
            out.add("refusal", refusal);
            hasSomething = true;
        }
        JsonValue name = message.get("name");
        if (name != null && name.getValueType() != JsonValue.ValueType.NULL) {
            out.add("name", name);
        }
        return cancelled && !hasSomething ? Optional.empty() : Optional.of(out.build());
    }

    private static boolean argumentsComplete(JsonValue call) {
        if (call.getValueType() != JsonValue.ValueType.OBJECT) {
            return false;
        }
        JsonObject function = call.asJsonObject().getJsonObject("function");
        if (function == null || !(function.get("arguments") instanceof JsonString arguments)) {
            return false;
        }
        return JsonText.isValue(arguments.getString());
    }

}
