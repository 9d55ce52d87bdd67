package dev.chatws.conversation.control;

import dev.chatws.conversation.entity.ConversationFrame;
import dev.chatws.conversation.entity.TokenUsage;
import dev.chatws.json.JsonText;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A conversation's committed history (PROTOCOL §8): a tree of messages in commit order, each
 * following its parent, with one active leaf; the active path from the root to it is what the
 * next turn continues and sends upstream. Each message keeps the JSON text it was stored as (a
 * turn's upstream body is put together from these, not re-serialized) and its token count. A
 * message's id is {@code msg_} and its place in commit order, so it is the same on every server
 * and after every restart.
 *
 * <p>Not thread-safe: guarded by its conversation's lock.
 */
final class History {

    /** One committed message: its place in commit order, the one it follows (-1: none), its JSON, its turn's request members (or null). */
    record Node(int seq, int parent, JsonObject message, String text, String request) {
        String id() {
            return "msg_" + seq;
        }

        String role() {
            return message.getString("role", "");
        }
    }

    /** What one upstream request of a turn sends: its body, the messages in it, and how many history messages it left out. */
    record Prompt(byte[] body, List<JsonObject> messages, int trimmed) {
    }

    private final List<Node> nodes = new ArrayList<>();
    private final Map<JsonObject, Long> tokens = new IdentityHashMap<>(4);
    private final HistoryBudget budget;
    private List<Node> path = List.of();
    private int active = -1;
    private int trimmed;

    History(HistoryBudget budget) {
        this.budget = budget;
    }

    /** How many messages are committed, on every branch: the {@code seq} of the next one. */
    int size() {
        return nodes.size();
    }

    /** The active path, root first. */
    List<Node> path() {
        return path;
    }

    /** The last message of the active path, if there is one. */
    Optional<JsonObject> last() {
        return path.isEmpty() ? Optional.empty() : Optional.of(path.get(path.size() - 1).message());
    }

    /** The active leaf's seq; -1 when empty. */
    int active() {
        return active;
    }

    /** The message with id {@code id}, on any branch. */
    Optional<Node> find(String id) {
        if (id == null || !id.matches("msg_(0|[1-9][0-9]{0,8})")) {
            return Optional.empty();
        }
        int seq = Integer.parseInt(id.substring(4));
        return seq < nodes.size() ? Optional.of(nodes.get(seq)) : Optional.empty();
    }

    /** How many messages the path from the root to {@code seq} has, both ends counted (0 for -1: none). */
    int depth(int seq) {
        int depth = 0;
        for (int at = seq; at >= 0; at = nodes.get(at).parent()) {
            depth++;
        }
        return depth;
    }

    /**
     * Every message of every branch, in commit order, each with its id and its parent's
     * (PROTOCOL §12's export): {@code {"id":"msg_1","parent":"msg_0","message":{…}}}.
     */
    JsonArray export() {
        JsonArrayBuilder all = JsonText.PROVIDER.createArrayBuilder();
        for (Node node : nodes) {
            JsonObjectBuilder entry = JsonText.PROVIDER.createObjectBuilder().add("id", node.id());
            if (node.parent() < 0) {
                entry.addNull("parent");
            } else {
                entry.add("parent", nodes.get(node.parent()).id());
            }
            all.add(entry.add("message", node.message()));
        }
        return all.build();
    }

    /** The index of the message with {@code seq} on the active path; -1 if it is not on it. */
    int onPath(int seq) {
        for (int i = 0; i < path.size(); i++) {
            if (path.get(i).seq() == seq) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Takes {@code stored} (in commit order) as the whole history, with {@code activeLeaf} active
     * (-1: the last message, as a store of v1 says nothing).
     *
     * @throws StoreException if a stored message cannot be read
     */
    void restore(List<HistoryStore.Node> stored, int activeLeaf) {
        nodes.clear();
        tokens.clear();
        for (HistoryStore.Node node : stored) {
            JsonObject message;
            try {
                message = JsonText.object(node.body());
            } catch (JsonText.Unreadable e) {
                throw new StoreException("A stored message could not be read (" + e.getMessage() + ")", e);
            }
            if (node.seq() != nodes.size() || node.parent() >= node.seq()) {
                throw new StoreException("The stored history is not in commit order at message " + node.seq(), null);
            }
            nodes.add(new Node(node.seq(), node.parent(), message, node.body(), node.request()));
        }
        activate(activeLeaf >= 0 && activeLeaf < nodes.size() ? activeLeaf : nodes.size() - 1);
    }

    /** Makes {@code leaf} the active leaf. */
    void activate(int leaf) {
        active = leaf;
        List<Node> reversed = new ArrayList<>();
        for (int seq = leaf; seq >= 0; seq = nodes.get(seq).parent()) {
            reversed.add(nodes.get(seq));
        }
        List<Node> root = new ArrayList<>(reversed.size());
        for (int i = reversed.size() - 1; i >= 0; i--) {
            root.add(reversed.get(i));
        }
        path = List.copyOf(root);
    }

    /** The most recently committed leaf under {@code seq} (itself if it has no children): where a switch to it lands. */
    int latestLeafUnder(int seq) {
        boolean[] parent = new boolean[nodes.size()];
        for (Node node : nodes) {
            if (node.parent() >= 0) {
                parent[node.parent()] = true;
            }
        }
        for (int candidate = nodes.size() - 1; candidate > seq; candidate--) {
            if (!parent[candidate] && descends(candidate, seq)) {
                return candidate;
            }
        }
        return seq;
    }

    private boolean descends(int seq, int ancestor) {
        for (int at = seq; at >= 0; at = nodes.get(at).parent()) {
            if (at == ancestor) {
                return true;
            }
        }
        return false;
    }

    /**
     * The upstream request of a turn that sends {@code system} (the conversation's, never left
     * out), {@code base} (a prefix of the active path) and then {@code added}: as much of
     * {@code base} as {@code maxTokens} allows (0: the configured budget), then {@code added},
     * with the other members of {@code request}.
     */
    Prompt prompt(Optional<JsonObject> system, List<Node> base, List<JsonObject> added, JsonObject request, String defaultModel, long maxTokens) {
        List<JsonObject> history = new ArrayList<>(base.size() + 1);
        system.ifPresent(history::add);
        base.forEach(node -> history.add(node.message()));
        Map<JsonObject, String> texts = new IdentityHashMap<>();
        long chars = 0;
        for (Node node : base) {
            texts.put(node.message(), node.text());
            chars += node.text().length();
        }
        chars += added.stream().mapToLong(HistoryBudget::chars).sum();
        long bound = maxTokens > 0 ? maxTokens : budget.maxTokens();
        HistoryBudget.Selection sent = HistoryBudget.select(history, added, chars,
                message -> tokens.computeIfAbsent(message, HistoryBudget::tokens), bound);
        trimmed = sent.trimmed();
        byte[] body = UpstreamRequest.body(sent.messages(), message -> {
            String text = texts.get(message);
            return text != null ? text : message.toString();
        }, request, defaultModel);
        return new Prompt(body, sent.messages(), sent.trimmed());
    }

    /** The tokens {@code sent} takes by this server's count (o200k). */
    long tokens(List<JsonObject> sent) {
        return sent.stream().mapToLong(message -> tokens.computeIfAbsent(message, HistoryBudget::tokens)).sum();
    }

    /** Appends committed messages (each following the one before, the first following its own parent) and makes the last active. */
    void append(List<HistoryStore.Node> committed, List<JsonObject> messages) {
        for (int i = 0; i < committed.size(); i++) {
            HistoryStore.Node node = committed.get(i);
            nodes.add(new Node(node.seq(), node.parent(), messages.get(i), node.body(), node.request()));
        }
        activate(nodes.size() - 1);
    }

    /** The {@code conversation} frame (PROTOCOL §3.1, §8) of conversation {@code id}. */
    ConversationFrame snapshot(String id, long created, Profile profile, TokenUsage usage) {
        JsonArrayBuilder list = JsonText.PROVIDER.createArrayBuilder();
        JsonArrayBuilder ids = JsonText.PROVIDER.createArrayBuilder();
        JsonObjectBuilder forks = JsonText.PROVIDER.createObjectBuilder();
        Map<Integer, List<Node>> children = new HashMap<>();
        for (Node node : nodes) {
            children.computeIfAbsent(node.parent(), parent -> new ArrayList<>(1)).add(node);
        }
        for (Node node : path) {
            list.add(node.message());
            ids.add(node.id());
            List<Node> siblings = children.get(node.parent());
            if (siblings.size() > 1) {
                JsonArrayBuilder alternatives = JsonText.PROVIDER.createArrayBuilder();
                siblings.forEach(sibling -> alternatives.add(sibling.id()));
                forks.add(node.id(), alternatives);
            }
        }
        return new ConversationFrame(id, created, list.build(), ids.build(), forks.build(), profile.title(),
                profile.settings(), usage.json(), trimmed == 0 ? null : trimmed);
    }
}
