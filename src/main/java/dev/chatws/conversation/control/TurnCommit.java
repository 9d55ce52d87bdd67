package dev.chatws.conversation.control;

import dev.chatws.conversation.entity.RawFrame;
import dev.chatws.conversation.entity.TokenUsage;
import dev.chatws.json.JsonText;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An ended turn on its way into the history (PROTOCOL §4, §8): the messages it adds, as they are to
 * be stored (from {@code seq} onwards, each following the one before, the first following the
 * turn's fork point), what else the commit changes (path length, model, usage), the
 * {@code chat.completion} the turn added up to and its terminal frame.
 * The turn's request members ride on its last request message, for a later regenerate.
 * {@code write} is false for a conversation being erased, whose turn is not stored. No nodes: the
 * turn adds nothing (a regenerate cancelled before any of its answer arrived).
 *
 * <p>Immutable; written on a background thread with no lock held.
 */
record TurnCommit(Turn turn, List<HistoryStore.Node> nodes, List<JsonObject> messages, HistoryStore.Summary summary, boolean write,
        JsonObject completion, RawFrame terminal) {

    /** What {@code ended} adds, its first message taking {@code seq}. */
    static TurnCommit of(Turn ended, Optional<JsonObject> assistant, JsonObject completion, RawFrame terminal, int seq, boolean write) {
        List<JsonObject> messages = new ArrayList<>();
        boolean regenerate = ended.plan().kind() == Turn.Kind.REGENERATE;
        if (!regenerate) {
            messages.addAll(ended.requestMessages());
        }
        int lastRequest = messages.size() - 1;
        assistant.ifPresent(messages::add);
        List<String> bodies = messages.stream().map(message -> JsonText.wellFormed(message.toString())).toList();
        List<HistoryStore.Node> nodes = nodes(seq, ended.plan().parent(), bodies, lastRequest, options(ended.request()));
        HistoryStore.Summary summary = new HistoryStore.Summary(ended.plan().base().size() + messages.size(), ended.model(),
                TokenUsage.of(completion.get("usage")));
        return new TurnCommit(ended, nodes, List.copyOf(messages), summary, write, completion, terminal);
    }

    /**
     * {@code bodies} as nodes from {@code seq} on, each following the one before, the first
     * following {@code parent}; the one at {@code lastRequest} carries the request's {@code options}.
     */
    static List<HistoryStore.Node> nodes(int seq, int parent, List<String> bodies, int lastRequest, String options) {
        List<HistoryStore.Node> nodes = new ArrayList<>(bodies.size());
        for (int i = 0; i < bodies.size(); i++) {
            nodes.add(new HistoryStore.Node(seq + i, parent, bodies.get(i), i == lastRequest ? options : null));
            parent = seq + i;
        }
        return List.copyOf(nodes);
    }

    /** A request's members but {@code messages}, as JSON text; null for none. */
    static String options(JsonObject request) {
        if (request == null) {
            return null;
        }
        JsonObjectBuilder options = JsonText.PROVIDER.createObjectBuilder(request);
        options.remove("messages");
        return JsonText.wellFormed(options.build().toString());
    }

    /** The active leaf once committed. */
    int active() {
        return nodes.get(nodes.size() - 1).seq();
    }

    /**
     * Writes the messages to {@code store} ({@link HistoryStore#append}, which retries once on a
     * fresh connection); the failure if it failed, else empty. Blocks on the store.
     */
    Optional<StoreException> writeTo(HistoryStore store, String id, long created, String owner) {
        if (!write || nodes.isEmpty()) {
            return Optional.empty();
        }
        try {
            store.append(id, created, owner, nodes, active(), summary, Instant.now().toEpochMilli());
            return Optional.empty();
        } catch (StoreException e) {
            return Optional.of(e);
        }
    }
}
