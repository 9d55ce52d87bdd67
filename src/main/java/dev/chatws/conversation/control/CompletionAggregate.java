package dev.chatws.conversation.control;

import dev.chatws.json.JsonText;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Folds the {@code chat.completion.chunk}s of one turn into the {@code chat.completion} they add
 * up to, on the JSON tree, so that members no spec names survive: top-level members each from the
 * first chunk that carries a non-empty value, {@code usage} as the upstream last reported it, and
 * per choice {@code index} the deltas merged as {@link DeltaMerge} says. What the history keeps of
 * it is {@link HistoryRules}' business.
 *
 * <p>Not thread-safe: the turn that owns it feeds it under its conversation's lock.
 */
public final class CompletionAggregate {

    private static final List<String> LEADING = List.of("id", "object", "created", "model");

    private final Map<String, JsonValue> top = new LinkedHashMap<>();
    private final TreeMap<Integer, DeltaMerge.ChoiceAcc> choices = new TreeMap<>();
    private JsonValue usage = JsonValue.NULL;

    /** Folds in one chunk. */
    public void add(JsonObject chunk) {
        for (Map.Entry<String, JsonValue> member : chunk.entrySet()) {
            String name = member.getKey();
            JsonValue value = member.getValue();
            switch (name) {
                case "choices" -> addChoices(value);
                case "usage" -> {
                    if (value.getValueType() != JsonValue.ValueType.NULL) {
                        usage = value;
                    }
                }
                default -> {
                    JsonValue held = top.get(name);
                    if (held == null || DeltaMerge.isEmpty(held) && !DeltaMerge.isEmpty(value)) {
                        top.put(name, value);
                    }
                }
            }
        }
    }

    /** Whether choice {@code index} has received a {@code finish_reason}. */
    public boolean finished(int index) {
        DeltaMerge.ChoiceAcc choice = choices.get(index);
        return choice != null && choice.finishReason != null;
    }

    /**
     * The whole {@code chat.completion} so far.
     *
     * @param cancelled whether the turn was cancelled: choice 0 then ends with
     *                  {@code "finish_reason":"cancelled"}, as do other unfinished choices
     */
    public JsonObject completion(boolean cancelled) {
        JsonObjectBuilder out = JsonText.PROVIDER.createObjectBuilder();
        out.add("id", top.getOrDefault("id", JsonValue.NULL));
        out.add("object", "chat.completion");
        out.add("created", top.getOrDefault("created", JsonValue.NULL));
        out.add("model", top.getOrDefault("model", JsonValue.NULL));
        JsonArrayBuilder list = JsonText.PROVIDER.createArrayBuilder();
        if (cancelled && !choices.containsKey(0)) {
            list.add(new DeltaMerge.ChoiceAcc(0).build("cancelled"));
        }
        for (DeltaMerge.ChoiceAcc choice : choices.values()) {
            String forced = cancelled && (choice.index == 0 || choice.finishReason == null) ? "cancelled" : null;
            list.add(choice.build(forced));
        }
        out.add("choices", list);
        out.add("usage", usage);
        top.forEach((name, value) -> {
            if (!LEADING.contains(name)) {
                out.add(name, value);
            }
        });
        return out.build();
    }

    /**
     * The assistant message of choice 0 as the history keeps it: the standard members only
     * ({@code role}, {@code content}, {@code tool_calls}, {@code refusal} if non-null, {@code name}).
     * For a cancelled turn, tool calls whose arguments were cut off are left out, and there is no
     * message at all if nothing of it arrived.
     */
    public Optional<JsonObject> assistantMessage(boolean cancelled) {
        DeltaMerge.ChoiceAcc choice = choices.get(0);
        if (choice == null) {
            return Optional.empty();
        }
        return HistoryRules.assistant(choice.message.build(), cancelled);
    }

    private void addChoices(JsonValue value) {
        if (value.getValueType() != JsonValue.ValueType.ARRAY) {
            return;
        }
        JsonArray list = value.asJsonArray();
        for (int position = 0; position < list.size(); position++) {
            JsonValue item = list.get(position);
            if (item.getValueType() != JsonValue.ValueType.OBJECT) {
                continue;
            }
            JsonObject choice = item.asJsonObject();
            int index = JsonText.index(choice.get("index"), position);
            choices.computeIfAbsent(index, DeltaMerge.ChoiceAcc::new).add(choice);
        }
    }

}
