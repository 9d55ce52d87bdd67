package dev.chatws.conversation.control;

import dev.chatws.conversation.entity.TokenUsage;
import java.util.List;
import java.util.Optional;

/**
 * Where committed histories are kept, as a conversation uses it: {@link ConversationStore} on a
 * database; a conversation's unit tests give one in memory. A history is a tree (PROTOCOL §8):
 * every message has its place in commit order ({@code seq}, unique in its conversation) and the
 * message it follows; the conversation knows its active leaf. Every method may block on I/O: never
 * call one holding a conversation's lock. Failures are {@link StoreException}s. Every {@code now} is in epoch milliseconds (what a
 * list orders by; {@code updated} shows it in seconds).
 */
public interface HistoryStore {

    /**
     * One committed message: its {@code seq}, the {@code parent} it follows (-1: none), its JSON
     * text as sent upstream, and, on a turn's last request message, that turn's request members
     * but {@code messages} (null otherwise).
     */
    record Node(int seq, int parent, String body, String request) {
    }

    /**
     * A conversation as stored: when it was created, its owner (null: anonymous), its messages in
     * commit order, its active leaf (-1: the last), its title and settings (JSON text; null: none),
     * and the tokens its turns used.
     */
    record Stored(long created, String owner, List<Node> messages, int active, String title, String settings, TokenUsage usage) {
    }

    /**
     * What a commit changes besides its messages: the active path's length once committed, the
     * model the turn ran on, and the tokens it used (added to the conversation's and its owner's).
     */
    record Summary(int pathLength, String model, TokenUsage usage) {
    }

    /** Which state of a conversation the store holds, to tell whether another server changed it: its message count and active leaf. */
    record Mark(long messages, int active) {
    }

    /** The conversation {@code id}, or empty if the store has no such conversation. */
    Optional<Stored> load(String id);

    /** The {@link Mark} of conversation {@code id} (one query, no message read); empty if it is not stored. */
    Optional<Mark> mark(String id);

    /**
     * Stores {@code nodes} of conversation {@code id}, creating it (created at {@code created},
     * owned by {@code owner}) if need be, makes {@code active} its active leaf, takes in the
     * {@code summary} and marks it updated at {@code now}; fails, committing nothing, if a
     * {@code seq} is taken (another server committed meanwhile) or the conversation was deleted
     * since it was stored.
     */
    void append(String id, long created, String owner, List<Node> nodes, int active, Summary summary, long now);

    /**
     * Sets the {@code title} and {@code settings} (JSON text; null: none) of conversation
     * {@code id}, storing it (created at {@code created}, owned by {@code owner}) if it is not yet.
     */
    void describe(String id, long created, String owner, String title, String settings, long now);

    /**
     * Makes {@code active} the active leaf of stored conversation {@code id}, its path
     * {@code pathLength} messages long; fails if it is no longer stored.
     */
    void activate(String id, int active, int pathLength, long now);

    /** Deletes conversation {@code id} and its messages; false if it was not stored. */
    boolean delete(String id);
}
