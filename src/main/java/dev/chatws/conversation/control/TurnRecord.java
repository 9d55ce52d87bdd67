package dev.chatws.conversation.control;

import dev.chatws.conversation.entity.TokenUsage;
import dev.chatws.json.JsonText;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a turn in flight would commit, kept with its lease ({@link TurnLeases}) so that another
 * server can end it as cancelled if its own server dies (PROTOCOL §4): its kind, the place its
 * first message takes ({@code seq}) and the message it follows ({@code parent}), the active path's
 * length before it ({@code base}), its model, the conversation's creation time and owner (null:
 * anonymous), the request's new messages as JSON text (none for a regenerate), and the request's
 * other members (JSON text; null: none).
 *
 * <p>Immutable.
 */
public record TurnRecord(String kind, int seq, int parent, int base, String model, long created, String owner,
        List<String> messages, String options) {

    /** The record of a turn that goes where {@code plan} says, with {@code added} and the members of {@code request}. */
    static TurnRecord of(Turn.Plan plan, List<JsonObject> added, JsonObject request, String model, int seq, long created, String owner) {
        List<String> texts = new ArrayList<>();
        if (plan.kind() != Turn.Kind.REGENERATE) {
            added.forEach(message -> texts.add(JsonText.wellFormed(message.toString())));
        }
        return new TurnRecord(plan.kind().name(), seq, plan.parent(), plan.base().size(), model, created, owner, List.copyOf(texts),
                TurnCommit.options(request));
    }

    /** The nodes to commit: the request's messages, then {@code assistant} (JSON text) if there is one. */
    List<HistoryStore.Node> nodes(Optional<String> assistant) {
        List<String> bodies = new ArrayList<>(messages);
        assistant.ifPresent(bodies::add);
        return TurnCommit.nodes(seq, parent, bodies, messages.size() - 1, options);
    }

    /** What committing {@code count} messages changes besides them. */
    HistoryStore.Summary summary(int count, TokenUsage usage) {
        return new HistoryStore.Summary(base + count, model, usage);
    }

    /** As JSON text. */
    String json() {
        JsonArrayBuilder texts = JsonText.PROVIDER.createArrayBuilder();
        messages.forEach(texts::add);
        var json = JsonText.PROVIDER.createObjectBuilder().add("kind", kind).add("seq", seq).add("parent", parent).add("base", base)
                .add("created", created).add("messages", texts);
        if (model != null) {
            json.add("model", model);
        }
        if (owner != null) {
            json.add("owner", owner);
        }
        if (options != null) {
            json.add("options", options);
        }
        return json.build().toString();
    }

    /** The record {@link #json} wrote. */
    static TurnRecord parse(String text) {
        JsonObject json = JsonText.object(text);
        List<String> texts = json.getJsonArray("messages").stream().map(value -> ((JsonString) value).getString()).toList();
        return new TurnRecord(json.getString("kind"), json.getInt("seq"), json.getInt("parent"), json.getInt("base"),
                text(json, "model"), json.getJsonNumber("created").longValue(), text(json, "owner"), texts, text(json, "options"));
    }

    private static String text(JsonObject json, String name) {
        JsonValue value = json.get(name);
        return value instanceof JsonString string ? string.getString() : null;
    }
}
