package dev.chatws.conversation.control;

import dev.chatws.conversation.entity.RawFrame;
import dev.chatws.json.JsonText;
import jakarta.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An ended turn on its way into the history (PROTOCOL §4): the request's messages and the
 * assistant's, if any, as they are to be stored at positions {@code from} onwards, the
 * {@code chat.completion} the turn added up to and its terminal frame. {@code write} is false for
 * a conversation being erased, whose turn is not stored.
 *
 * <p>Immutable; written on a background thread with no lock held.
 */
record TurnCommit(Turn turn, List<JsonObject> messages, List<String> texts, int from, boolean write,
        JsonObject completion, RawFrame terminal) {

    /** What {@code ended} adds after the {@code from} messages committed before it. */
    static TurnCommit of(Turn ended, Optional<JsonObject> assistant, JsonObject completion, RawFrame terminal, int from, boolean write) {
        List<JsonObject> messages = new ArrayList<>(ended.requestMessages());
        assistant.ifPresent(messages::add);
        List<String> texts = messages.stream().map(message -> JsonText.wellFormed(message.toString())).toList();
        return new TurnCommit(ended, List.copyOf(messages), texts, from, write, completion, terminal);
    }

    /**
     * Writes the messages to {@code store} ({@link HistoryStore#append}, which retries once on a
     * fresh connection); the failure if it failed, else empty. Blocks on the store.
     */
    Optional<StoreException> writeTo(HistoryStore store, String id, long created, String owner) {
        if (!write) {
            return Optional.empty();
        }
        try {
            store.append(id, created, owner, from, texts, Instant.now().getEpochSecond());
            return Optional.empty();
        } catch (StoreException e) {
            return Optional.of(e);
        }
    }
}
