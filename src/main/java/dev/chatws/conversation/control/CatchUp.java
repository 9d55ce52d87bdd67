package dev.chatws.conversation.control;

import java.util.Optional;
import java.util.logging.Logger;

/**
 * What another server did to a conversation while this one held it in memory unused: committed
 * turns to it, switched its branch, or erased it. Usually nothing, and finding that out costs one count query, not a
 * read of the history. Stateless; blocks on the store, so never called under a lock.
 */
final class CatchUp {

    private static final Logger LOG = Logger.getLogger(CatchUp.class.getName());

    /** What the store says, to apply under the conversation's lock. */
    sealed interface Found permits Erased, Newer {
    }

    /** The conversation is no longer in the store. */
    record Erased() implements Found {
    }

    /** The store differs from the {@code known} messages and {@code knownActive} leaf held in memory: {@code stored} is the whole of it. */
    record Newer(HistoryStore.Stored stored, int known, int knownActive) implements Found {
    }

    private CatchUp() {
    }

    /** {@link #check(HistoryStore, String, int, int)} for what {@code state} holds (read under its lock, then released). */
    static Optional<Found> check(HistoryStore store, ConversationState state) {
        int known;
        int active;
        synchronized (state.lock) {
            known = state.history.size();
            active = state.history.active();
        }
        return check(store, state.id, known, active);
    }

    /**
     * Reads the store about conversation {@code id}, of which {@code known} messages with leaf
     * {@code active} are in memory; empty if nothing changed or the store cannot be read.
     */
    static Optional<Found> check(HistoryStore store, String id, int known, int active) {
        try {
            Optional<HistoryStore.Mark> mark = store.mark(id);
            if (mark.isEmpty()) {
                return Optional.of(new Erased());
            }
            int storedActive = mark.get().active() < 0 ? (int) mark.get().messages() - 1 : mark.get().active();
            if (mark.get().messages() > known || (mark.get().messages() == known && storedActive != active)) {
                return store.load(id).map(stored -> new Newer(stored, known, active));
            }
        } catch (StoreException e) {
            LOG.warning(() -> ChatScope.redact(id) + ": could not catch up with the store; serving the history in memory. " + e.getMessage());
        }
        return Optional.empty();
    }
}
