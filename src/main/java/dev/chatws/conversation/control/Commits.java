package dev.chatws.conversation.control;

import dev.chatws.conversation.entity.ErrorCode;
import dev.chatws.conversation.entity.ErrorFrame;
import dev.chatws.conversation.entity.ServerFrame;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The end of a turn's way into the history: its {@link TurnCommit} written to the store, then
 * taken into memory with the terminal frame, or, if the store failed, nothing kept and
 * {@code internal_error} instead; sockets that were to go meanwhile go after it.
 *
 * <p>One per {@link Conversation}; runs on a background thread, taking the conversation's lock
 * only after the store call.
 */
final class Commits {

    private static final Logger LOG = Logger.getLogger(Commits.class.getName());

    private final ConversationState state;
    private final Conversation conversation;
    private final HistoryStore store;
    private final TurnLedger ledger;
    /** Told of every turn committed to the store, with no lock held ({@link Titles}). */
    private Consumer<TurnCommit> committed = commit -> { };

    Commits(ConversationState state, Conversation conversation, HistoryStore store, TurnLedger ledger) {
        this.state = state;
        this.ledger = ledger;
        this.conversation = conversation;
        this.store = store;
    }

    /** Sets who is told of every committed turn. */
    void onCommitted(Consumer<TurnCommit> listener) {
        committed = listener;
    }

    /**
     * Writes a turn to the store (no lock held), then, under the lock, takes it into the history,
     * frees the turn slot and queues the terminal frame, written on this thread of the
     * application's own (while the server stops, Liberty may no longer run the asynchronous writes
     * it hands to its own threads). If the store fails, nothing is committed and the terminal
     * frame is {@code internal_error} instead (the client may send the turn again).
     */
    void commit(TurnCommit commit) {
        Optional<StoreException> failure = commit.writeTo(store, state.id, state.created, state.owner);
        Optional<CatchUp.Found> caughtUp = failure.isPresent() ? conversation.catchUp() : Optional.empty();
        boolean eraseAgain;
        ServerFrame terminal;
        Peer[] targets;
        Consumer<Peer> farewell;
        synchronized (state.lock) {
            state.turn = null;
            state.committing = false;
            if (failure.isEmpty()) {
                if (!commit.nodes().isEmpty()) {
                    state.stored |= commit.write();
                    state.history.append(commit.nodes(), commit.messages());
                    state.usage = state.usage.plus(commit.summary().usage());
                }
                commit.turn().trace().ended(commit.turn().cancelled(), commit.completion());
                terminal = commit.terminal();
                state.audience.broadcast(terminal);
                if (commit.turn().plan().kind() != Turn.Kind.TURN && !commit.nodes().isEmpty()) {
                    // A steering turn changed the active path: every socket gets it, after the terminal frame (§8).
                    state.audience.broadcast(state.snapshot());
                }
            } else {
                LOG.log(Level.WARNING, "{0}: the turn was not committed. {1}", new Object[] {ChatScope.redact(state.id), failure.get().getMessage()});
                commit.turn().trace().failed(ErrorCode.INTERNAL_ERROR.code());
                caughtUp.ifPresent(conversation::apply);
                terminal = ErrorFrame.of(ErrorCode.INTERNAL_ERROR,
                        "The conversation could not be saved, so this turn was not committed; send it again.");
                state.audience.broadcast(terminal);
            }
            // Queued under the lock, so that a watcher elsewhere gets the frames in the order the sockets here do.
            commit.turn().retire(ledger, state.id, terminal);
            targets = state.audience.targets();
            farewell = state.pendingFarewell;
            state.pendingFarewell = null;
            if (farewell == null) {
                conversation.unloadWhenIdle();
            }
            eraseAgain = state.erased && commit.write() && !commit.nodes().isEmpty() && failure.isEmpty();
        }
        Audience.deliver(targets, true);
        if (failure.isEmpty() && commit.write() && !commit.nodes().isEmpty()) {
            committed.accept(commit);
        }
        boolean missed;
        synchronized (state.lock) {
            missed = state.changedElsewhere;
        }
        if (missed) {
            conversation.visits().changedElsewhere();
        }
        if (farewell != null) {
            synchronized (state.lock) {
                conversation.close(farewell);
                conversation.unloadWhenIdle();
            }
        }
        if (eraseAgain) {
            // Erased while this commit was being written: the erasure's delete may have come first.
            try {
                store.delete(state.id);
            } catch (StoreException e) {
                LOG.warning(() -> ChatScope.redact(state.id) + ": could not delete a turn committed during its erasure. " + e.getMessage());
            }
        }
    }
}
