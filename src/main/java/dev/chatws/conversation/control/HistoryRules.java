package dev.chatws.conversation.control;

import static dev.chatws.json.JsonText.PROVIDER;

import dev.chatws.json.JsonText;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a turn adds to the history (PROTOCOL §4, §11): the request's messages, then the
 * assistant's message of choice 0 reduced to its standard members, without cut tool calls; other
 * choices, logprobs and the upstream's own members are relayed but not kept. And what the next
 * request owes the history: a tool message for every call the last answer made. Stateless.
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
     * {@code tool_calls}, {@code refusal} if non-null, {@code name}). Tool calls whose
     * {@code function.arguments} is not one complete JSON value (cut off by a cancel, by
     * {@code max_tokens}, by a stream that ended) are left out however the turn ended (PROTOCOL
     * §11: sent back upstream, such a call fails every later turn); there is no message at all if
     * nothing is left of it, when the turn was cancelled or a cut call was dropped.
     */
    static Optional<JsonObject> assistant(JsonObject message, boolean cancelled) {
        JsonObjectBuilder out = PROVIDER.createObjectBuilder();
        out.add("role", message.getOrDefault("role", PROVIDER.createValue("assistant")));
        JsonValue content = message.getOrDefault("content", JsonValue.NULL);
        out.add("content", content);
        boolean hasSomething = !DeltaMerge.isEmpty(content);
        boolean dropped = false;
        JsonValue calls = message.get("tool_calls");
        if (calls != null && calls.getValueType() == JsonValue.ValueType.ARRAY) {
            JsonArrayBuilder kept = PROVIDER.createArrayBuilder();
            int count = 0;
            for (JsonValue call : calls.asJsonArray()) {
                if (argumentsComplete(call)) {
                    kept.add(call);
                    count++;
                } else {
                    dropped = true;
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
        return (cancelled || dropped) && !hasSomething ? Optional.empty() : Optional.of(out.build());
    }

    /**
     * The ids of the tool calls of {@code last} (the last message of the history, if any) that the
     * leading {@code tool} messages of {@code added} (the next turn's new messages) do not answer,
     * in call order; empty when nothing is owed (PROTOCOL §11).
     */
    static List<String> unanswered(Optional<JsonObject> last, List<JsonObject> added) {
        if (last.isEmpty() || !"assistant".equals(last.get().getString("role", null))
                || !(last.get().get("tool_calls") instanceof JsonArray calls) || calls.isEmpty()) {
            return List.of();
        }
        Set<String> answered = new HashSet<>();
        for (JsonObject message : added) {
            if (!"tool".equals(message.getString("role", null))) {
                break;
            }
            if (message.get("tool_call_id") instanceof JsonString id) {
                answered.add(id.getString());
            }
        }
        List<String> missing = new ArrayList<>();
        for (JsonValue call : calls) {
            if (call instanceof JsonObject object && object.get("id") instanceof JsonString id && !answered.contains(id.getString())) {
                missing.add(id.getString());
            }
        }
        return missing;
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
