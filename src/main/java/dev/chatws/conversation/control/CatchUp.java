package dev.chatws.conversation.control;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.logging.Logger;

/**
 * What another server did to a conversation while this one held it in memory unused: committed
 * turns to it, or erased it. Usually nothing, and finding that out costs one count query, not a
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

    /** The store has more than the {@code known} messages held in memory: {@code stored} is the whole of it. */
    record Newer(HistoryStore.Stored stored, int known) implements Found {
    }

    private CatchUp() {
    }

    /** Reads the store about conversation {@code id}, of which {@code known} messages are in memory; empty if nothing changed or the store cannot be read. */
    static Optional<Found> check(HistoryStore store, String id, int known) {
        try {
            OptionalLong size = store.size(id);
            if (size.isEmpty()) {
                return Optional.of(new Erased());
            }
            if (size.getAsLong() > known) {
                return store.load(id).map(stored -> new Newer(stored, known));
            }
        } catch (StoreException e) {
            LOG.warning(() -> ChatScope.redact(id) + ": could not catch up with the store; serving the history in memory. " + e.getMessage());
        }
        return Optional.empty();
    }
}
