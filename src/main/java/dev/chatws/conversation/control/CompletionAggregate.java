package dev.chatws.conversation.control;

import dev.chatws.json.JsonText;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Folds the {@code chat.completion.chunk}s of one turn into the {@code chat.completion} they add
 * up to, on the JSON tree, so that members no spec names survive:
 * <ul>
 * <li>top-level members each from the first chunk that carries a non-empty value, {@code usage}
 *     as the upstream last reported it;</li>
 * <li>per choice {@code index}: delta members merged in order (strings concatenated, {@code role}
 *     and other scalars from the last non-null value, objects member by member, lists
 *     concatenated), {@code tool_calls} reassembled by their {@code index}, {@code logprobs} lists
 *     concatenated, {@code finish_reason} the last non-null one.</li>
 * </ul>
 * Not thread-safe: the turn that owns it feeds it under its conversation's lock.
 */
public final class CompletionAggregate {

    static final JsonProvider JSON = JsonText.PROVIDER;

    private static final List<String> LEADING = List.of("id", "object", "created", "model");

    private final Map<String, JsonValue> top = new LinkedHashMap<>();
    private final TreeMap<Integer, ChoiceAcc> choices = new TreeMap<>();
    private JsonValue usage = JsonValue.NULL;
    private int chunks;

    /** Folds in one chunk. */
    public void add(JsonObject chunk) {
        chunks++;
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
                    if (held == null || isEmpty(held) && !isEmpty(value)) {
                        top.put(name, value);
                    }
                }
            }
        }
    }

    /** How many chunks were folded in. */
    public int chunks() {
        return chunks;
    }

    /** Whether choice {@code index} has received a {@code finish_reason}. */
    public boolean finished(int index) {
        ChoiceAcc choice = choices.get(index);
        return choice != null && choice.finishReason != null;
    }

    /**
     * The whole {@code chat.completion} so far.
     *
     * @param cancelled whether the turn was cancelled: choice 0 then ends with
     *                  {@code "finish_reason":"cancelled"}, as do other unfinished choices
     */
    public JsonObject completion(boolean cancelled) {
        JsonObjectBuilder out = JSON.createObjectBuilder();
        out.add("id", top.getOrDefault("id", JsonValue.NULL));
        out.add("object", "chat.completion");
        out.add("created", top.getOrDefault("created", JsonValue.NULL));
        out.add("model", top.getOrDefault("model", JsonValue.NULL));
        JsonArrayBuilder list = JSON.createArrayBuilder();
        if (cancelled && !choices.containsKey(0)) {
            list.add(new ChoiceAcc(0).build("cancelled"));
        }
        for (ChoiceAcc choice : choices.values()) {
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
        ChoiceAcc choice = choices.get(0);
        if (choice == null) {
            return Optional.empty();
        }
        return historyMessage(choice.message.build(), cancelled);
    }

    /**
     * The standard members of an assistant message, as {@link #assistantMessage(boolean)} keeps
     * them; also used for the message of a non-streamed completion.
     */
    static Optional<JsonObject> historyMessage(JsonObject message, boolean cancelled) {
        JsonObjectBuilder out = JSON.createObjectBuilder();
        out.add("role", message.getOrDefault("role", JSON.createValue("assistant")));
        JsonValue content = message.getOrDefault("content", JsonValue.NULL);
        out.add("content", content);
        boolean hasSomething = !isEmpty(content);
        JsonValue calls = message.get("tool_calls");
        if (calls != null && calls.getValueType() == JsonValue.ValueType.ARRAY) {
            JsonArrayBuilder kept = JSON.createArrayBuilder();
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
            int index = intOr(choice.get("index"), position);
            choices.computeIfAbsent(index, ChoiceAcc::new).add(choice);
        }
    }

    static boolean isEmpty(JsonValue value) {
        return switch (value.getValueType()) {
            case NULL -> true;
            case STRING -> ((JsonString) value).getString().isEmpty();
            case ARRAY -> value.asJsonArray().isEmpty();
            case OBJECT -> value.asJsonObject().isEmpty();
            case NUMBER -> JsonText.isZero(value);
            default -> false;
        };
    }

    private static int intOr(JsonValue value, int fallback) {
        return JsonText.index(value, fallback);
    }

    /** A member being merged. */
    private interface Acc {
        JsonValue build();
    }

    /** A string member: concatenated. */
    private static final class StringAcc implements Acc {
        private final StringBuilder text = new StringBuilder();

        @Override
        public JsonValue build() {
            return JSON.createValue(text.toString());
        }
    }

    /** A scalar (or a null placeholder): the last non-null value. */
    private record ValueAcc(JsonValue value) implements Acc {
        @Override
        public JsonValue build() {
            return value;
        }
    }

    /** A list member: concatenated. */
    private static final class ListAcc implements Acc {
        private final List<JsonValue> items = new ArrayList<>();

        @Override
        public JsonValue build() {
            JsonArrayBuilder out = JSON.createArrayBuilder();
            items.forEach(out::add);
            return out.build();
        }
    }

    /** An object member: merged member by member, in first-seen order. */
    private static class ObjectAcc implements Acc {
        final Map<String, Acc> members = new LinkedHashMap<>();

        void merge(JsonObject delta) {
            for (Map.Entry<String, JsonValue> member : delta.entrySet()) {
                merge(member.getKey(), member.getValue());
            }
        }

        void merge(String name, JsonValue value) {
            Acc held = members.get(name);
            switch (value.getValueType()) {
                case NULL -> members.putIfAbsent(name, new ValueAcc(JsonValue.NULL));
                case STRING -> {
                    String text = ((JsonString) value).getString();
                    if ("role".equals(name)) {
                        members.put(name, new ValueAcc(value));
                    } else if (held instanceof StringAcc string) {
                        string.text.append(text);
                    } else {
                        StringAcc string = new StringAcc();
                        string.text.append(text);
                        members.put(name, string);
                    }
                }
                case OBJECT -> {
                    if (held instanceof ObjectAcc object) {
                        object.merge(value.asJsonObject());
                    } else {
                        ObjectAcc object = new ObjectAcc();
                        object.merge(value.asJsonObject());
                        members.put(name, object);
                    }
                }
                case ARRAY -> {
                    if (held instanceof ListAcc list) {
                        list.items.addAll(value.asJsonArray());
                    } else {
                        ListAcc list = new ListAcc();
                        list.items.addAll(value.asJsonArray());
                        members.put(name, list);
                    }
                }
                default -> members.put(name, new ValueAcc(value));
            }
        }

        @Override
        public JsonObject build() {
            JsonObjectBuilder out = JSON.createObjectBuilder();
            members.forEach((name, acc) -> out.add(name, acc.build()));
            return out.build();
        }
    }

    /** The message of a choice: an object whose {@code tool_calls} are reassembled by index. */
    private static final class MessageAcc extends ObjectAcc {
        private final TreeMap<Integer, ToolCallAcc> toolCalls = new TreeMap<>();

        @Override
        void merge(String name, JsonValue value) {
            if ("tool_calls".equals(name) && value.getValueType() == JsonValue.ValueType.ARRAY) {
                members.putIfAbsent(name, this::buildToolCalls);
                JsonArray fragments = value.asJsonArray();
                for (int position = 0; position < fragments.size(); position++) {
                    JsonValue fragment = fragments.get(position);
                    if (fragment.getValueType() == JsonValue.ValueType.OBJECT) {
                        int index = intOr(fragment.asJsonObject().get("index"), position);
                        toolCalls.computeIfAbsent(index, i -> new ToolCallAcc()).merge(fragment.asJsonObject());
                    }
                }
            } else {
                super.merge(name, value);
            }
        }

        private JsonValue buildToolCalls() {
            JsonArrayBuilder out = JSON.createArrayBuilder();
            toolCalls.values().forEach(call -> out.add(call.build()));
            return out.build();
        }

        @Override
        public JsonObject build() {
            if (!members.containsKey("role")) {
                Map<String, Acc> ordered = new LinkedHashMap<>();
                ordered.put("role", new ValueAcc(JSON.createValue("assistant")));
                ordered.putAll(members);
                members.clear();
                members.putAll(ordered);
            }
            members.putIfAbsent("content", new ValueAcc(JsonValue.NULL));
            return super.build();
        }
    }

    /**
     * One tool call from its fragments: {@code id}, {@code type} and {@code function.name} from the
     * fragments that carry them (never concatenated), {@code function.arguments} concatenated.
     */
    private static final class ToolCallAcc {
        private JsonValue id = JsonValue.NULL;
        private JsonValue type;
        private JsonValue functionName;
        private final StringBuilder arguments = new StringBuilder();
        private final ObjectAcc functionRest = new ObjectAcc();
        private final ObjectAcc rest = new ObjectAcc();

        void merge(JsonObject fragment) {
            for (Map.Entry<String, JsonValue> member : fragment.entrySet()) {
                JsonValue value = member.getValue();
                switch (member.getKey()) {
                    case "index" -> { }
                    case "id" -> id = isEmpty(value) ? id : value;
                    case "type" -> type = isEmpty(value) ? type : value;
                    case "function" -> {
                        if (value.getValueType() == JsonValue.ValueType.OBJECT) {
                            mergeFunction(value.asJsonObject());
                        }
                    }
                    default -> rest.merge(member.getKey(), value);
                }
            }
        }

        private void mergeFunction(JsonObject function) {
            for (Map.Entry<String, JsonValue> member : function.entrySet()) {
                JsonValue value = member.getValue();
                switch (member.getKey()) {
                    case "name" -> functionName = isEmpty(value) ? functionName : value;
                    case "arguments" -> {
                        if (value instanceof JsonString text) {
                            arguments.append(text.getString());
                        }
                    }
                    default -> functionRest.merge(member.getKey(), value);
                }
            }
        }

        JsonObject build() {
            JsonObjectBuilder function = JSON.createObjectBuilder()
                    .add("name", functionName == null ? JsonValue.NULL : functionName)
                    .add("arguments", arguments.toString());
            functionRest.members.forEach((name, acc) -> function.add(name, acc.build()));
            JsonObjectBuilder out = JSON.createObjectBuilder()
                    .add("id", id)
                    .add("type", type == null ? JSON.createValue("function") : type)
                    .add("function", function);
            rest.members.forEach((name, acc) -> out.add(name, acc.build()));
            return out.build();
        }
    }

    /** One choice: its message, logprobs, finish reason and any other members (last non-null). */
    private static final class ChoiceAcc {
        private final int index;
        private final MessageAcc message = new MessageAcc();
        private ObjectAcc logprobs;
        private String finishReason;
        private final Map<String, JsonValue> rest = new LinkedHashMap<>();

        ChoiceAcc(int index) {
            this.index = index;
        }

        void add(JsonObject choice) {
            for (Map.Entry<String, JsonValue> member : choice.entrySet()) {
                JsonValue value = member.getValue();
                switch (member.getKey()) {
                    case "index" -> { }
                    case "delta", "message" -> {
                        if (value.getValueType() == JsonValue.ValueType.OBJECT) {
                            message.merge(value.asJsonObject());
                        }
                    }
                    case "logprobs" -> {
                        if (value.getValueType() == JsonValue.ValueType.OBJECT) {
                            if (logprobs == null) {
                                logprobs = new ObjectAcc();
                            }
                            logprobs.merge(value.asJsonObject());
                        }
                    }
                    case "finish_reason" -> {
                        if (value instanceof JsonString reason) {
                            finishReason = reason.getString();
                        }
                    }
                    default -> {
                        if (value.getValueType() != JsonValue.ValueType.NULL || !rest.containsKey(member.getKey())) {
                            rest.put(member.getKey(), value);
                        }
                    }
                }
            }
        }

        JsonObject build(String forcedFinishReason) {
            String reason = forcedFinishReason != null ? forcedFinishReason : finishReason;
            JsonObjectBuilder out = JSON.createObjectBuilder()
                    .add("index", index)
                    .add("message", message.build())
                    .add("logprobs", logprobs == null ? JsonValue.NULL : logprobs.build())
                    .add("finish_reason", reason == null ? JsonValue.NULL : JSON.createValue(reason));
            rest.forEach(out::add);
            return out.build();
        }
    }
}
