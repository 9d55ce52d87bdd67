package dev.chatws.conversation.control;

import java.util.List;
import java.util.Optional;

/**
 * Where the turns in flight of every server are known, so that any server serves any
 * conversation mid-turn: a turn claims its conversation's one slot before it starts
 * ({@code turn_in_progress} on every server while it runs), a socket on another server watches it
 * (its frames relayed through the store while someone watches remotely, and only then), a cancel
 * reaches it from anywhere, and when its server dies another one ends it (PROTOCOL §4).
 * {@link TurnLeases} on PostgreSQL; {@link #SINGLE} (one server, nothing shared) otherwise.
 *
 * <p>Thread-safe. Methods that say they block do a database round trip: never call one holding a
 * conversation's lock; the others queue and return.
 */
public interface TurnLedger {

    /** A turn in flight on another server: its id, that server, and its kind ({@link Turn.Kind}). */
    record Remote(String turn, String server, String kind) {
    }

    /** One frame of a turn as relayed: its place from 0, its JSON text, whether it is the turn's last (the terminal frame). */
    record Frame(int seq, String body, boolean last) {
    }

    /** The outcome of a claim: taken, refused as another server's turn runs, or unknown as the store failed. */
    enum Claim { TAKEN, BUSY, FAILED }

    /** One server, nothing shared: every claim is taken, nothing is written, no turn runs elsewhere. */
    TurnLedger SINGLE = new TurnLedger() {
        @Override
        public boolean shared() {
            return false;
        }

        @Override
        public Claim claim(String conversation, String turn, TurnRecord record) {
            return Claim.TAKEN;
        }

        @Override
        public void relayed(String conversation, String turn, int seq, String frame) {
        }

        @Override
        public void ended(String conversation, String turn, List<Frame> unsent) {
        }

        @Override
        public Optional<Remote> running(String conversation) {
            return Optional.empty();
        }

        @Override
        public Optional<TurnRecord> pending(String conversation) {
            return Optional.empty();
        }

        @Override
        public boolean watch(String conversation, Remote turn) {
            return false;
        }

        @Override
        public List<Frame> frames(String turn, int from) {
            return List.of();
        }

        @Override
        public void frames(String turn, int from, java.util.function.Consumer<List<Frame>> then) {
            then.accept(List.of());
        }

        @Override
        public void cancel(String conversation, Remote turn) {
        }
    };

    /** Whether turns are shared with other servers; if not, no method below does anything. */
    boolean shared();

    /** Claims the one turn slot of {@code conversation} for turn {@code turn} of this server, and tells the others. Blocks. */
    Claim claim(String conversation, String turn, TurnRecord record);

    /** Frame {@code seq} of {@code turn} was relayed: written for the remote watchers if it has any. Queues. */
    void relayed(String conversation, String turn, int seq, String frame);

    /**
     * {@code turn} ended and was committed: its slot is freed; if another server watches it,
     * {@code unsent} (the frames not yet {@link #relayed}, the terminal frame last) is written
     * first, in the same transaction. Queues, after the frames queued before.
     */
    void ended(String conversation, String turn, List<Frame> unsent);

    /** The turn of {@code conversation} in flight on another server, if any (its lease not expired). Blocks. */
    Optional<Remote> running(String conversation);

    /** The record of the turn of {@code conversation} in flight on any server, if any. Blocks. */
    Optional<TurnRecord> pending(String conversation);

    /** Asks the server of {@code turn} to write its frames for this server from now on; false if it ended meanwhile. Blocks. */
    boolean watch(String conversation, Remote turn);

    /** The frames of {@code turn} written so far from place {@code from} on, in order. Blocks. */
    List<Frame> frames(String turn, int from);

    /** {@link #frames(String, int)} handed to {@code then} (null if the read failed), read with other watches' in one query. Queues. */
    void frames(String turn, int from, java.util.function.Consumer<List<Frame>> then);

    /** Asks the server of {@code turn} to cancel it. Queues. */
    void cancel(String conversation, Remote turn);
}
