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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How the deltas of one choice add up (the merging rules of {@link CompletionAggregate}): delta
 * members merged in order (strings concatenated, {@code role} and other scalars from the last
 * non-null value, objects member by member, lists concatenated), {@code tool_calls} reassembled
 * by their {@code index} ({@code id}, {@code type} and {@code function.name} never concatenated,
 * {@code function.arguments} concatenated), {@code logprobs} lists concatenated,
 * {@code finish_reason} the last non-null one, any other choice member the last non-null value.
 *
 * <p>Not thread-safe: fed by one turn under its conversation's lock.
 */
final class DeltaMerge {

    private DeltaMerge() {
    }

    /** Whether {@code value} counts as absent: null, "", [], {} or zero. */
    static boolean isEmpty(JsonValue value) {
        return switch (value.getValueType()) {
            case NULL -> true;
            // getChars: no copy (getString builds a new String on every call).
            case STRING -> ((JsonString) value).getChars().length() == 0;
            case ARRAY -> value.asJsonArray().isEmpty();
            case OBJECT -> value.asJsonObject().isEmpty();
            case NUMBER -> JsonText.isZero(value);
            default -> false;
        };
    }

    /** A member being merged. */
    interface Acc {
        JsonValue build();
    }

    /** A string member: concatenated. */
    private static final class StringAcc implements Acc {
        private final StringBuilder text = new StringBuilder();

        @Override
        public JsonValue build() {
            return PROVIDER.createValue(text.toString());
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
            JsonArrayBuilder out = PROVIDER.createArrayBuilder();
            items.forEach(out::add);
            return out.build();
        }
    }

    /** An object member: merged member by member, in first-seen order. */
    static class ObjectAcc implements Acc {
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
            JsonObjectBuilder out = PROVIDER.createObjectBuilder();
            members.forEach((name, acc) -> out.add(name, acc.build()));
            return out.build();
        }
    }

    /** The message of a choice: an object whose {@code tool_calls} are reassembled by index. */
    static final class MessageAcc extends ObjectAcc {
        private final TreeMap<Integer, ToolCallAcc> toolCalls = new TreeMap<>();

        @Override
        void merge(String name, JsonValue value) {
            if ("tool_calls".equals(name) && value.getValueType() == JsonValue.ValueType.ARRAY) {
                members.putIfAbsent(name, this::buildToolCalls);
                JsonArray fragments = value.asJsonArray();
                for (int position = 0; position < fragments.size(); position++) {
                    JsonValue fragment = fragments.get(position);
                    if (fragment.getValueType() == JsonValue.ValueType.OBJECT) {
                        int index = JsonText.index(fragment.asJsonObject().get("index"), position);
                        toolCalls.computeIfAbsent(index, i -> new ToolCallAcc()).merge(fragment.asJsonObject());
                    }
                }
            } else {
                super.merge(name, value);
            }
        }

        private JsonValue buildToolCalls() {
            JsonArrayBuilder out = PROVIDER.createArrayBuilder();
            toolCalls.values().forEach(call -> out.add(call.build()));
            return out.build();
        }

        @Override
        public JsonObject build() {
            if (!members.containsKey("role")) {
                Map<String, Acc> ordered = new LinkedHashMap<>();
                ordered.put("role", new ValueAcc(PROVIDER.createValue("assistant")));
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
            JsonObjectBuilder function = PROVIDER.createObjectBuilder()
                    .add("name", functionName == null ? JsonValue.NULL : functionName)
                    .add("arguments", arguments.toString());
            functionRest.members.forEach((name, acc) -> function.add(name, acc.build()));
            JsonObjectBuilder out = PROVIDER.createObjectBuilder()
                    .add("id", id)
                    .add("type", type == null ? PROVIDER.createValue("function") : type)
                    .add("function", function);
            rest.members.forEach((name, acc) -> out.add(name, acc.build()));
            return out.build();
        }
    }

    /** One choice: its message, logprobs, finish reason and any other members (last non-null). */
    static final class ChoiceAcc {
        final int index;
        final MessageAcc message = new MessageAcc();
        private ObjectAcc logprobs;
        String finishReason;
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
            JsonObjectBuilder out = PROVIDER.createObjectBuilder()
                    .add("index", index)
                    .add("message", message.build())
                    .add("logprobs", logprobs == null ? JsonValue.NULL : logprobs.build())
                    .add("finish_reason", reason == null ? JsonValue.NULL : PROVIDER.createValue(reason));
            rest.forEach(out::add);
            return out.build();
        }
    }
}
