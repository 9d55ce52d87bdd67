package dev.chatws.conversation.control;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Who is still there: sockets leave a conversation here, and its two timers run here. When the
 * last socket leaves during a turn, the turn runs on for {@code chat.resume.grace} so that a
 * socket reattaching in time gets it whole; if none does, it is cancelled (PROTOCOL §4), but not
 * while sockets on another server watch it ({@link RemoteTurn}). With no
 * socket and no turn left, the conversation is unloaded after
 * {@code chat.conversation.unload-after}. At most one timer of each kind is pending.
 *
 * <p>Not thread-safe: called under its conversation's lock; the timers' tasks run on the
 * settings' scheduler and take that lock themselves.
 */
final class Presence {

    private static final Logger LOG = Logger.getLogger(Presence.class.getName());

    private final ConversationState state;
    private final ConversationSettings settings;
    private final Consumer<Turn> cancel;
    private final BooleanSupplier unload;
    private ScheduledFuture<?> grace;
    private ScheduledFuture<?> unloading;

    /** Presence in {@code state}; {@code cancel} ends a turn cancelled, {@code unload} unloads the conversation if it is idle. */
    Presence(ConversationState state, ConversationSettings settings, Consumer<Turn> cancel, BooleanSupplier unload) {
        this.state = state;
        this.settings = settings;
        this.cancel = cancel;
        this.unload = unload;
    }

    /** A socket closed: with none left during a turn, the grace starts (a grace of 0 cancels the turn at once). */
    void left(Peer peer) {
        state.audience.remove(peer);
        unloadWhenIdle();
        if (!state.audience.isEmpty() || state.turn == null) {
            return;
        }
        Turn waiting = state.turn;
        if ((settings.grace().isZero() || settings.grace().isNegative()) && waiting.watchedUntil() <= System.currentTimeMillis()) {
            cancel.accept(waiting);
            return;
        }
        stop(grace);
        grace = settings.schedule(() -> graceOver(waiting), settings.grace().isNegative() ? Duration.ZERO : settings.grace());
    }

    /** The server gave up on a socket (too slow to read): no grace, as nobody is coming back. */
    void dropped(Peer peer) {
        state.audience.remove(peer);
        if (state.audience.isEmpty() && state.turn != null) {
            cancel.accept(state.turn);
        }
        unloadWhenIdle();
    }

    private void graceOver(Turn waiting) {
        synchronized (state.lock) {
            grace = null;
            long watched = waiting.watchedUntil() - System.currentTimeMillis();
            if (state.turn == waiting && state.audience.isEmpty() && watched > 0) {
                // Sockets on another server watch it: it runs on while they do.
                grace = settings.schedule(() -> graceOver(waiting), Duration.ofMillis(watched));
            } else if (state.turn == waiting && state.audience.isEmpty()) {
                LOG.fine(() -> ChatScope.redact(state.id) + ": nobody reattached within chat.resume.grace; cancelling the turn");
                cancel.accept(waiting);
            }
        }
    }

    /** With no socket and no turn left, unloads the conversation after {@code chat.conversation.unload-after}. */
    void unloadWhenIdle() {
        if (state.idle() && !state.unloaded) {
            stop(unloading);
            unloading = settings.schedule(unload::getAsBoolean, settings.unloadDelay());
        }
    }

    /** Stops both timers: a socket attached, or the conversation ends. */
    void stop() {
        stop(grace);
        stop(unloading);
        grace = null;
        unloading = null;
    }

    private static void stop(ScheduledFuture<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
