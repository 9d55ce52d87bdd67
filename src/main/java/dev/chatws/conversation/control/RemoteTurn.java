package dev.chatws.conversation.control;

import dev.chatws.conversation.entity.RawFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Logger;

/**
 * One conversation's part in turns that cross servers ({@link TurnLedger}): on a server whose
 * sockets attach while the turn runs on another, it watches that turn (PROTOCOL §5: every frame
 * relayed so far, then the rest as the other server writes them, then the terminal frame, after
 * which it holds the committed history); on the turn's own server it answers what the others ask:
 * to write the frames for them, to cancel. A watch ends with the terminal frame, which the turn's
 * server (or, if that died, the server that ended the turn for it) writes last.
 *
 * <p>One per {@link Conversation}. Frames are read from the store on background threads with no
 * lock held ({@link FrameReads}: one read at a time per watch, one query for all watches);
 * everything else runs under the conversation's lock.
 */
final class RemoteTurn {

    private static final Logger LOG = Logger.getLogger(RemoteTurn.class.getName());

    /** A turn of another server watched here; guarded by the conversation's lock. */
    static final class Watching {
        final TurnLedger.Remote turn;
        /** What was relayed so far, for sockets that attach later. */
        final List<RawFrame> relayed = new ArrayList<>();
        /** The place of the next frame to relay. */
        int next;
        boolean fetching;
        boolean again;

        Watching(TurnLedger.Remote turn) {
            this.turn = turn;
        }
    }

    private final ConversationState state;
    private final Conversation conversation;
    private final Turns turns;
    private final TurnLedger ledger;
    private final HistoryStore store;
    private final ConversationSettings settings;

    RemoteTurn(ConversationState state, Conversation conversation, Turns turns, TurnLedger ledger, HistoryStore store,
            ConversationSettings settings) {
        this.state = state;
        this.conversation = conversation;
        this.turns = turns;
        this.ledger = ledger;
        this.store = store;
        this.settings = settings;
    }

    /** The turn of this conversation in flight on another server, read before a socket attaches; none if one is known here. Blocks. */
    Optional<TurnLedger.Remote> lookup() {
        if (!ledger.shared()) {
            return Optional.empty();
        }
        synchronized (state.lock) {
            if (state.turn != null || state.remote != null) {
                return Optional.empty();
            }
        }
        try {
            return ledger.running(state.id);
        } catch (StoreException e) {
            LOG.fine(() -> ChatScope.redact(state.id) + ": could not tell whether a turn runs elsewhere: " + e.getMessage());
            return Optional.empty();
        }
    }

    /** {@code peer} attached (its conversation frame queued): it gets what the watched turn relayed so far; the watch starts if it had not. Under the lock. */
    void attached(Peer peer, Optional<TurnLedger.Remote> running) {
        if (state.remote != null) {
            state.remote.relayed.forEach(peer::send);
        } else if (running.isPresent() && state.turn == null && !state.claiming) {
            watch(running.get());
        }
    }

    /** A turn started on another server: watched if sockets here are attached. Under no lock. */
    void startedElsewhere(TurnLedger.Remote turn) {
        synchronized (state.lock) {
            if (!state.audience.isEmpty() && !state.unloaded && !state.busy()) {
                watch(turn);
            }
        }
    }

    /** The watched turn's server wrote frames of {@code turn}: they are read and relayed. Under no lock. */
    void framesWritten(String turn) {
        Watching watching;
        synchronized (state.lock) {
            watching = state.remote;
        }
        if (watching != null && watching.turn.turn().equals(turn)) {
            fetch(watching);
        }
    }

    /** Another server's socket watches {@code turn} of this server until {@code until} (epoch ms): its frames are written from now on. Under no lock. */
    void watchedElsewhere(String turn, long until) {
        synchronized (state.lock) {
            Turn running = state.turn;
            if (running != null && running.id().equals(turn)) {
                running.watch(until).forEach(frame -> ledger.relayed(state.id, turn, frame.seq(), frame.body()));
            }
        }
    }

    /** Another server asks to cancel {@code turn} of this server. Under no lock. */
    void cancelAsked(String turn) {
        turns.relay(() -> {
            if (state.turn != null && state.turn.id().equals(turn)) {
                turns.cancel(state.turn);
            }
        });
    }

    /** A socket here cancels the watched turn: its server is asked to (the terminal frame comes from there). Under the lock. */
    void cancel() {
        ledger.cancel(state.id, state.remote.turn);
    }

    /** The turn in flight here, whose lease the heartbeat renews. Under no lock. */
    Optional<String> runningHere() {
        synchronized (state.lock) {
            return state.turn == null ? Optional.empty() : Optional.of(state.turn.id());
        }
    }

    /** The watched turn, if sockets here watch it (for the heartbeat to renew); else null. Under no lock. */
    String watchedHere() {
        synchronized (state.lock) {
            return state.remote == null || state.audience.isEmpty() ? null : state.remote.turn.turn();
        }
    }

    /**
     * The watched {@code turn} has no row any more although no terminal frame came: its frames are
     * read once more; without a terminal frame among them, the watch ends with the history as
     * committed (the sockets get no terminal frame: its server could not write one). Under no lock.
     */
    void vanished(String turn) {
        Watching watching;
        synchronized (state.lock) {
            watching = state.remote;
        }
        if (watching == null || !watching.turn.turn().equals(turn)) {
            return;
        }
        ledger.frames(turn, 0, frames -> {
            if (frames == null) {
                return;
            }
            boolean terminal = frames.stream().anyMatch(TurnLedger.Frame::last);
            took(watching, frames);
            if (!terminal) {
                ended(watching, null);
            }
        });
    }

    /** Reads what may have been missed (a notification lost while the feed reconnected). Under no lock. */
    void poll() {
        Watching watching;
        synchronized (state.lock) {
            watching = state.remote;
        }
        if (watching != null) {
            fetch(watching);
        }
    }

    private void watch(TurnLedger.Remote turn) {
        Watching watching = new Watching(turn);
        state.remote = watching;
        try {
            settings.background(() -> {
                boolean on;
                try {
                    on = ledger.watch(state.id, turn);
                } catch (StoreException e) {
                    on = false;
                }
                if (on) {
                    fetch(watching);
                } else {
                    ended(watching, null);
                }
            });
        } catch (RejectedExecutionException e) {
            state.remote = null;
        }
    }

    /** Reads the frames written since the last read, and relays them ({@link #took}); one read at a time per watch. */
    private void fetch(Watching watching) {
        int from;
        synchronized (state.lock) {
            if (state.remote != watching) {
                return;
            }
            if (watching.fetching) {
                watching.again = true;
                return;
            }
            watching.fetching = true;
            from = watching.next;
        }
        ledger.frames(watching.turn.turn(), from, frames -> took(watching, frames));
    }

    /** Relays what a read found (null: it failed; the next wake-up or heartbeat reads again), then reads again if woken meanwhile. */
    private void took(Watching watching, List<TurnLedger.Frame> frames) {
        TurnLedger.Frame last = null;
        boolean more;
        Peer[] targets;
        synchronized (state.lock) {
            if (state.remote != watching) {
                return;
            }
            for (TurnLedger.Frame frame : frames == null ? List.<TurnLedger.Frame>of() : frames) {
                if (frame.seq() < watching.next) {
                    continue;
                }
                if (frame.last()) {
                    last = frame;
                    break;
                }
                // A gap (frames the turn's server could not write) is passed over rather than waited for.
                RawFrame relayed = new RawFrame(frame.body());
                watching.relayed.add(relayed);
                state.audience.broadcast(relayed);
                watching.next = frame.seq() + 1;
            }
            more = last == null && watching.again && frames != null;
            watching.again = false;
            watching.fetching = last != null;
            targets = state.audience.targets();
        }
        Audience.deliver(targets, true);
        if (last != null) {
            TurnLedger.Frame terminal = last;
            try {
                settings.background(() -> ended(watching, terminal));
            } catch (RejectedExecutionException e) {
                ended(watching, terminal);
            }
        } else if (more) {
            fetch(watching);
        }
    }

    /**
     * The watched turn ended ({@code last}: its terminal frame; null: it had ended before the
     * watch began): the committed history is read first (no lock held), then the sockets get the
     * terminal frame, and after a regenerate or edit the new active path, as on the turn's server.
     */
    private void ended(Watching watching, TurnLedger.Frame last) {
        Optional<HistoryStore.Stored> stored;
        try {
            stored = store.load(state.id);
        } catch (StoreException e) {
            LOG.fine(() -> ChatScope.redact(state.id) + ": could not read the history a turn elsewhere committed: " + e.getMessage());
            stored = Optional.empty();
        }
        boolean missed;
        Peer[] targets;
        synchronized (state.lock) {
            if (state.remote != watching) {
                return;
            }
            state.remote = null;
            stored.ifPresent(conversation::restore);
            if (last != null) {
                state.audience.broadcast(new RawFrame(last.body()));
                if (!Turn.Kind.TURN.name().equals(watching.turn.kind()) && stored.isPresent()) {
                    state.audience.broadcast(state.snapshot());
                }
            }
            missed = state.changedElsewhere;
            targets = state.audience.targets();
            conversation.unloadWhenIdle();
        }
        Audience.deliver(targets, true);
        if (missed) {
            conversation.visits().changedElsewhere();
        }
    }
}
