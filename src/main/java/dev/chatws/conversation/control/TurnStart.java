package dev.chatws.conversation.control;

import dev.chatws.conversation.entity.ErrorCode;
import dev.chatws.conversation.entity.ErrorFrame;
import dev.chatws.limits.control.ClientLimits;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Logger;

/**
 * How a turn gets its start: refused while one is in flight (here or, with a shared
 * {@link TurnLedger}, on another server: {@code turn_in_progress}) or over the client's limits;
 * with several servers it first claims the conversation's turn slot in the store, on a background
 * thread, and starts once the claim came back (a cancel meanwhile ends it at once, as in §4).
 *
 * <p>One per {@link Turns}; under the conversation's lock but for the claim, which runs with no lock held.
 */
final class TurnStart {

    private static final Logger LOG = Logger.getLogger(TurnStart.class.getName());
    private static final String BUSY = "A turn of this conversation is in progress; send response.cancel or wait for its end.";

    /** What a turn starts with, once its slot is claimed. */
    record Start(Peer from, Turn.Plan plan, List<JsonObject> added, JsonObject request, JsonObject effective, String model, String id) {
    }

    private final ConversationState state;
    private final Turns turns;
    private final Conversation conversation;
    private final ClientLimits clientLimits;
    private final ConversationSettings settings;
    private final TurnLedger ledger;

    TurnStart(ConversationState state, Turns turns, Conversation conversation, ClientLimits clientLimits, ConversationSettings settings,
            TurnLedger ledger) {
        this.state = state;
        this.turns = turns;
        this.conversation = conversation;
        this.clientLimits = clientLimits;
        this.settings = settings;
        this.ledger = ledger;
    }

    /**
     * Starts a turn that sends {@code plan}'s base and then {@code added}, with the members of
     * {@code request}, unless one is in flight or the client's limits refuse it; true if it
     * started or is claiming its slot (it may have failed at once, its error frame queued). Under
     * the lock; the caller delivers.
     */
    boolean begin(Peer from, Turn.Plan plan, List<JsonObject> added, JsonObject request) {
        if (state.busy()) {
            Rejections.reply(LOG, state.id, from, ErrorFrame.of(ErrorCode.TURN_IN_PROGRESS, BUSY));
            return false;
        }
        OptionalLong wait = clientLimits.startTurn(from.client());
        if (wait.isPresent()) {
            Rejections.reply(LOG, state.id, from, ErrorFrame.rateLimited(wait.getAsLong(),
                    "This client has used its turns or tokens for now (chat.limits); try again in " + wait.getAsLong() + " s."));
            return false;
        }
        JsonObject effective = state.profile.under(request);
        String model = effective.get("model") instanceof JsonString named ? named.getString() : settings.defaultModel();
        Start starting = new Start(from, plan, added, request, effective, model, Turn.newId());
        if (!ledger.shared()) {
            turns.start(starting);
            return true;
        }
        TurnRecord record = TurnRecord.of(plan, added, request, model, state.history.size(), state.created, state.owner);
        state.claiming = true;
        try {
            settings.background(() -> {
                TurnLedger.Claim claim = ledger.claim(state.id, starting.id(), record);
                turns.relay(() -> claimed(starting, claim));
            });
        } catch (RejectedExecutionException e) {
            state.claiming = false;
            Rejections.reply(LOG, state.id, from, ErrorFrame.of(ErrorCode.INTERNAL_ERROR, "The server is stopping; send the turn again."));
            return false;
        }
        return true;
    }

    /** The claim of a turn's slot came back: the turn starts (and ends at once if it was cancelled meanwhile), or is refused. Under the lock. */
    private void claimed(Start starting, TurnLedger.Claim claim) {
        state.claiming = false;
        boolean cancelled = state.cancelClaimed;
        state.cancelClaimed = false;
        if (claim == TurnLedger.Claim.TAKEN && !state.unloaded) {
            Turn started = turns.start(starting);
            if (cancelled) {
                turns.cancel(started);
            }
            return;
        }
        if (claim == TurnLedger.Claim.TAKEN) {
            // The conversation ended (erased, or the server stops) while the claim was out: the slot is given back.
            ledger.ended(state.id, starting.id(), List.of());
        }
        Rejections.reply(LOG, state.id, starting.from(), claim == TurnLedger.Claim.FAILED || state.unloaded
                ? ErrorFrame.of(ErrorCode.INTERNAL_ERROR, "The conversation store could not be reached, so the turn did not start; send it again.")
                : ErrorFrame.of(ErrorCode.TURN_IN_PROGRESS, "A turn of this conversation is in progress on another server; "
                        + "send response.cancel or wait for its end."));
        conversation.unloadWhenIdle();
    }
}
