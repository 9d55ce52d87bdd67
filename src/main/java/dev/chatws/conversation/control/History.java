package dev.chatws.conversation.control;

import dev.chatws.conversation.entity.ConversationFrame;
import dev.chatws.json.JsonText;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A conversation's committed history: its messages in order, the JSON text each was stored as
 * (a turn's upstream body is put together from these, not re-serialized), their token counts, and
 * how many of them the last turn left out to stay within {@code chat.history.max-tokens}.
 *
 * <p>Not thread-safe: guarded by its conversation's lock.
 */
final class History {

    private final List<JsonObject> messages = new ArrayList<>();
    private final Map<JsonObject, Long> tokens = new IdentityHashMap<>(4);
    private final Map<JsonObject, String> texts = new IdentityHashMap<>(4);
    private final HistoryBudget budget;
    private long chars;
    private int trimmed;

    History(HistoryBudget budget) {
        this.budget = budget;
    }

    /** The last committed message, if there is one. */
    Optional<JsonObject> last() {
        return messages.isEmpty() ? Optional.empty() : Optional.of(messages.get(messages.size() - 1));
    }

    /** How many messages are committed. */
    int size() {
        return messages.size();
    }

    /**
     * Takes {@code stored} (the messages' JSON texts, in order) as the whole history.
     *
     * @throws StoreException if a stored message cannot be read
     */
    void restore(List<String> stored) {
        messages.clear();
        tokens.clear();
        texts.clear();
        chars = 0;
        for (String json : stored) {
            JsonObject message;
            try {
                message = JsonText.object(json);
            } catch (JsonText.Unreadable e) {
                throw new StoreException("A stored message could not be read (" + e.getMessage() + ")", e);
            }
            messages.add(message);
            texts.put(message, json);
            chars += HistoryBudget.chars(message);
        }
    }

    /** What one upstream request of a turn sends: its body, and how many history messages it left out. */
    record Prompt(byte[] body, List<JsonObject> messages, int trimmed) {
    }

    /**
     * The upstream request of a turn that adds {@code added}: as much of the history as
     * {@code maxTokens} allows (0: the configured budget), then {@code added}, with the client's
     * other members of {@code request}.
     */
    Prompt prompt(List<JsonObject> added, JsonObject request, String defaultModel, long maxTokens) {
        long total = chars + added.stream().mapToLong(HistoryBudget::chars).sum();
        long bound = maxTokens > 0 ? maxTokens : budget.maxTokens();
        HistoryBudget.Selection sent = HistoryBudget.select(messages, added, total,
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

    /** The upstream request body of a turn that adds {@code added}, within the configured budget. */
    byte[] upstreamBody(List<JsonObject> added, JsonObject request, String defaultModel) {
        return prompt(added, request, defaultModel, 0).body();
    }

    /** Appends a committed turn's messages, each with the text it was stored as. */
    void append(List<JsonObject> committed, List<String> committedTexts) {
        messages.addAll(committed);
        for (int i = 0; i < committed.size(); i++) {
            texts.put(committed.get(i), committedTexts.get(i));
        }
        chars += committed.stream().mapToLong(HistoryBudget::chars).sum();
    }

    /** The {@code conversation} frame (PROTOCOL §2) of conversation {@code id}. */
    ConversationFrame snapshot(String id, long created) {
        JsonArrayBuilder list = JsonText.PROVIDER.createArrayBuilder();
        messages.forEach(list::add);
        return new ConversationFrame(id, created, list.build(), trimmed == 0 ? null : trimmed);
    }
}
