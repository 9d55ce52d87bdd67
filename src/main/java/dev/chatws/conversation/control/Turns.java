package dev.chatws.conversation.control;

import dev.chatws.conversation.entity.ChatRequest;
import dev.chatws.conversation.entity.ErrorCode;
import dev.chatws.conversation.entity.ErrorFrame;
import dev.chatws.conversation.entity.RawFrame;
import dev.chatws.json.JsonText;
import dev.chatws.limits.control.ClientLimits;
import dev.chatws.telemetry.control.ChatTelemetry;
import dev.chatws.upstream.control.ContextOverflow;
import dev.chatws.upstream.control.Upstream;
import io.opentelemetry.context.Scope;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The turn of one conversation, from start to commit (PROTOCOL §3, §4): starts the upstream call,
 * relays what it sends to every attached socket, ends the turn exactly once (completed,
 * cancelled or failed) and commits what it adds to the history, on a background thread, before
 * the terminal frame goes out and the next turn may start.
 *
 * <p>One per {@link Conversation}; every method takes or holds the conversation's lock
 * ({@link ConversationState#lock}), store calls excepted, which run with no lock held.
 */
final class Turns {

    private static final Logger LOG = Logger.getLogger(Turns.class.getName());

    private final ConversationState state;
    private final Conversation conversation;
    private final Upstream upstream;
    private final HistoryStore store;
    private final ClientLimits clientLimits;
    private final ChatTelemetry telemetry;
    private final ConversationSettings settings;
    private final TurnReader.TurnEvents events = new Events();
    private final Commits commits;
    private final TurnLedger ledger;
    private final TurnStart starts;

    Turns(ConversationState state, Conversation conversation, Upstream upstream, HistoryStore store,
            ClientLimits clientLimits, ChatTelemetry telemetry, ConversationSettings settings, TurnLedger ledger) {
        this.state = state;
        this.conversation = conversation;
        this.upstream = upstream;
        this.store = store;
        this.clientLimits = clientLimits;
        this.telemetry = telemetry;
        this.settings = settings;
        this.ledger = ledger;
        this.commits = new Commits(state, conversation, store, ledger);
        this.starts = new TurnStart(state, this, conversation, clientLimits, settings, ledger);
    }

    /** Sets who is told of every turn committed to the store, with no lock held. */
    void onCommitted(java.util.function.Consumer<TurnCommit> listener) {
        commits.onCommitted(listener);
    }

    /**
     * Starts the turn a chat request asks for, continuing the active path: unless one is in
     * flight ({@code turn_in_progress}), the last answer's tool calls go unanswered (§11) or the
     * client's limits refuse it; on the thread of the WebSocket callback that read it.
     */
    void request(Peer from, ChatRequest request) {
        Peer[] targets;
        synchronized (state.lock) {
            List<JsonObject> added = new ArrayList<>();
            request.body().getJsonArray("messages").forEach(message -> added.add(message.asJsonObject()));
            List<String> missing = HistoryRules.unanswered(state.history.last(), added);
            if (state.turn == null && !missing.isEmpty()) {
                Rejections.reply(LOG, state.id, from, ErrorFrame.about(ErrorCode.INVALID_REQUEST, "messages",
                        "The last answer called tools; this turn must start with a tool message for each call. Missing: "
                                + String.join(", ", missing) + ". (To leave them unanswered, regenerate or edit instead.)"));
                return;
            }
            begin(from, new Turn.Plan(Turn.Kind.TURN, state.history.path(), state.history.active()), added, request.body());
            targets = state.audience.targets();
        }
        Audience.deliver(targets, false);
    }

    /**
     * Starts a turn that sends {@code plan}'s base and then {@code added}, with the members of
     * {@code request}, unless one is in flight or the client's limits refuse it ({@link TurnStart}).
     * Under the lock; the caller delivers.
     */
    boolean begin(Peer from, Turn.Plan plan, List<JsonObject> added, JsonObject request) {
        return starts.begin(from, plan, added, request);
    }

    /** Starts the turn: the prompt from the history, then the upstream call. Under the lock. */
    Turn start(TurnStart.Start starting) {
        Turn started = new Turn(starting.id(), starting.from().client(), starting.added(), starting.effective().get("stream") != jakarta.json.JsonValue.FALSE,
                telemetry.turnStarted(ChatScope.redact(state.id), starting.model()));
        state.turn = started;
        History.Prompt prompt = state.history.prompt(state.profile.system(), starting.plan().base(), starting.added(), starting.effective(),
                settings.defaultModel(), settings.budgetFor(starting.model()));
        started.asked(starting.plan(), starting.request(), starting.effective(), starting.model(), prompt);
        send(started, prompt);
        return started;
    }

    /** Starts the upstream call of {@code turn} with {@code prompt}; if it cannot start, the turn fails at once. Under the lock. */
    private void send(Turn turn, History.Prompt prompt) {
        try (Scope current = turn.trace().makeCurrent()) {
            turn.call(upstream.start(prompt.body(), turn.streaming(), new TurnReader(turn, events)));
        } catch (Upstream.CircuitOpenException e) {
            fail(turn, ErrorFrame.upstream(null,
                    "The upstream API has kept failing, so calls to it are paused for a while; try again shortly."));
        } catch (Upstream.AtCapacityException e) {
            fail(turn, ErrorFrame.of(ErrorCode.RATE_LIMITED,
                    "The server is running as many upstream calls as it allows; try again shortly."));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Could not start the upstream call: {0}", e.getClass().getName());
            fail(turn, ErrorFrame.upstream(null, "The upstream API could not be called."));
        }
    }

    /**
     * The upstream refused {@code turn}'s prompt as longer than the model's context (PROTOCOL
     * §11): unless it was sent once more already, it is sent once more with the oldest history
     * left out as the refusal's sizes say (whole turns, never the leading instructions, never the
     * new messages), and the model's smaller budget is kept for later turns. If nothing more can
     * be left out, the turn ends with {@code upstream_error} 400. Under the lock.
     */
    private void overflowed(Turn turn, ContextOverflow overflow, String message) {
        if (turn.resent() || turn.relayedAny()) {
            fail(turn, ErrorFrame.upstream(400, message));
            return;
        }
        History.Prompt sent = turn.prompt();
        long smaller = overflow.smallerBudget(state.history.tokens(sent.messages()));
        History.Prompt retry = state.history.prompt(state.profile.system(), turn.plan().base(), turn.requestMessages(), turn.effective(),
                settings.defaultModel(), smaller);
        if (retry.trimmed() <= sent.trimmed()) {
            fail(turn, ErrorFrame.upstream(400, "The new messages alone do not fit the model's context; " + message));
            return;
        }
        settings.learn(turn.model(), smaller);
        LOG.log(Level.INFO, "{0}: the prompt was longer than the model''s context; sending it once more without {1} more old message(s)",
                new Object[] {ChatScope.redact(state.id), retry.trimmed() - sent.trimmed()});
        turn.resend(retry);
        send(turn, retry);
    }

    /** Ends {@code ended} cancelled (§4): what was shown is committed. Under the lock; nothing if it already ended. */
    void cancel(Turn ended) {
        if (ended.end(Turn.State.CANCELLED)) {
            JsonObject completion = ended.aggregate().completion(true);
            finish(ended, ended.aggregate().assistantMessage(true), completion, new RawFrame(JsonText.wellFormed(completion.toString())));
        }
    }

    /**
     * {@code response.cancel} from {@code from}: ends the turn in flight here, or the one claiming
     * its slot as soon as it starts, or asks {@code elsewhere} to cancel the one watched on another
     * server; with none, {@code no_turn_in_progress}. Under the lock.
     */
    void cancelAsked(Peer from, Runnable elsewhere) {
        if (state.turn != null) {
            cancel(state.turn);
        } else if (state.claiming) {
            state.cancelClaimed = true;
        } else if (state.remote != null) {
            elsewhere.run();
        } else {
            Rejections.reply(LOG, state.id, from, ErrorFrame.of(ErrorCode.NO_TURN_IN_PROGRESS, "There is no turn in progress to cancel."));
        }
    }

    /**
     * Runs {@code transition} under the lock, then writes what it queued on this thread, which
     * must be one that may block (the upstream reader's, a watchdog's), as {@link Peer#flush()} does.
     */
    void relay(Runnable transition) {
        Peer[] targets;
        synchronized (state.lock) {
            transition.run();
            targets = state.audience.targets();
        }
        Audience.deliver(targets, true);
    }

    // The transitions below run with the lock held; each ends the turn at most once.

    private void complete(Turn ended) {
        if (ended.end(Turn.State.COMPLETED)) {
            JsonObject completion = ended.aggregate().completion(false);
            finish(ended, ended.aggregate().assistantMessage(false), completion, new RawFrame(JsonText.wellFormed(completion.toString())));
        }
    }

    private void completeWith(Turn ended, String json, JsonObject completion) {
        if (ended.end(Turn.State.COMPLETED)) {
            finish(ended, HistoryRules.assistantOf(completion), completion, new RawFrame(json));
        }
    }

    private void fail(Turn ended, ErrorFrame error) {
        if (ended.end(Turn.State.FAILED)) {
            LOG.log(Level.INFO, "{0}: turn failed: {1}", new Object[] {ChatScope.redact(state.id), error.error().message()});
            ended.trace().failed(error.error().code());
            state.turn = null;
            state.audience.broadcast(error);
            ended.retire(ledger, state.id, error);
            conversation.unloadWhenIdle();
        }
    }

    /**
     * Counts the turn's token usage against its client and hands what it adds to {@link Commits}
     * on a background thread; the turn keeps the slot meanwhile, so no other turn starts on a
     * history that is still being written. Under the lock.
     */
    private void finish(Turn ended, Optional<JsonObject> assistant, JsonObject completion, RawFrame terminal) {
        clientLimits.spend(ended.client(), completion);
        TurnCommit commit = TurnCommit.of(ended, assistant, completion, terminal, state.history.size(), !state.erased);
        state.committing = true;
        try {
            settings.background(() -> commits.commit(commit));
        } catch (RejectedExecutionException e) {
            // The application is stopping and its commit threads are gone: commit here, as a last resort.
            commits.commit(commit);
        }
    }

    /** What a turn's {@link TurnReader} reports, on the thread that reads the upstream (or its watchdog's). */
    private final class Events implements TurnReader.TurnEvents {
        @Override
        public void chunk(Turn owner, String data, JsonObject chunk) {
            relay(() -> {
                // Not once the turn ended (cancelled, it is being committed): the client has what was shown.
                if (state.turn == owner && owner.live()) {
                    RawFrame frame = owner.relay(data, chunk);
                    state.audience.broadcast(frame);
                    if (owner.watched()) {
                        owner.shipped();
                        ledger.relayed(state.id, owner.id(), owner.relayedCount() - 1, data);
                    }
                }
            });
        }

        @Override
        public void streamEnded(Turn owner, boolean done) {
            relay(() -> {
                if (state.turn != owner) {
                    return;
                }
                if (done || owner.aggregate().finished(0)) {
                    complete(owner);
                } else {
                    fail(owner, ErrorFrame.upstream(null, "The upstream stream ended before the reply was complete."));
                }
            });
        }

        @Override
        public void answered(Turn owner, String json, JsonObject completion) {
            relay(() -> {
                if (state.turn == owner) {
                    completeWith(owner, json, completion);
                }
            });
        }

        @Override
        public void overflowed(Turn owner, ContextOverflow overflow, String message) {
            relay(() -> {
                if (state.turn == owner && owner.live()) {
                    Turns.this.overflowed(owner, overflow, message);
                }
            });
        }

        @Override
        public void failed(Turn owner, ErrorFrame error) {
            relay(() -> {
                if (state.turn == owner) {
                    fail(owner, error);
                }
            });
        }
    }
}
