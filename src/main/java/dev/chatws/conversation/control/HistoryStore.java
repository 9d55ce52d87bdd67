package dev.chatws.conversation.control;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Where committed histories are kept, as a conversation uses it: {@link ConversationStore} on a
 * database; a conversation's unit tests give one in memory. Every method may block on I/O: never
 * call one holding a conversation's lock. Failures are {@link StoreException}s.
 */
public interface HistoryStore {

    /** A conversation as stored: when it was created, its owner (null: anonymous), and its messages' JSON in order. */
    record Stored(long created, String owner, List<String> messages) {
    }

    /** The conversation {@code id}, or empty if the store has no such conversation. */
    Optional<Stored> load(String id);

    /** How many messages conversation {@code id} has in the store; empty if it has no such conversation. */
    OptionalLong size(String id);

    /**
     * Stores {@code messages} at positions {@code from}, {@code from + 1}, … of conversation
     * {@code id}, creating it (created at {@code created}, owned by {@code owner}) if need be, and
     * marks it active at {@code now}; fails, committing nothing, if a position is taken or the
     * conversation was deleted since it was stored.
     */
    void append(String id, long created, String owner, int from, List<String> messages, long now);

    /** Deletes conversation {@code id} and its messages; false if it was not stored. */
    boolean delete(String id);
}
