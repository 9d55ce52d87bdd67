package dev.chatws.conversation.control;

import dev.chatws.conversation.entity.ChatRequest;
import dev.chatws.conversation.entity.ControlFrame;
import dev.chatws.conversation.entity.ErrorCode;
import dev.chatws.conversation.entity.ErrorFrame;
import dev.chatws.conversation.entity.InboundFrame;
import dev.chatws.conversation.entity.MalformedFrame;
import dev.chatws.limits.control.ClientLimits;
import dev.chatws.limits.control.RequestLimits;
import dev.chatws.telemetry.control.ChatTelemetry;
import dev.chatws.upstream.control.Upstream;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * A conversation: the sockets attached to it (its {@link Audience}), its committed
 * {@link History}, and the one turn in flight ({@link Turns}). It answers every frame a client
 * sends (PROTOCOL §2–§4): validates chat requests and starts a turn, cancels one, sends the
 * history; it attaches and detaches sockets (catching up with the store first, §5), holds a turn
 * for the resume grace and unloads itself when idle ({@link Presence}), and ends with the
 * application or an erasure. Frames are listed by kind in {@link #receive}: a new control frame
 * starts there.
 *
 * <p>Scope: {@link ChatScoped}, one instance per conversation id, outliving any socket.
 * Threading: socket callbacks, timers, the upstream reader and commit threads meet here; all state
 * is guarded by one lock per conversation, held only to update state and queue frames (queuing
 * never blocks; frames go out after the lock, see {@link Audience}). No store call runs under it:
 * a turn's commit runs on a background thread while the turn still holds the conversation's one
 * turn slot, and reading the store to catch up happens before the lock is taken.
 */
@ChatScoped
public class Conversation {

    private static final Logger LOG = Logger.getLogger(Conversation.class.getName());
    private static final String UNKNOWN = "Unknown frame type; the known types are response.cancel, conversation.get, "
            + "response.regenerate, message.edit, branch.switch and conversation.update.";

    @Inject
    ChatScope scope;

    @Inject
    Upstream upstream;

    @Inject
    HistoryStore store;

    @Inject
    RequestLimits requestLimits;

    @Inject
    ClientLimits clientLimits;

    @Inject
    ChatTelemetry telemetry;

    @Inject
    ConversationSettings settings;

    @Inject
    TurnLedger ledger;

    private ConversationState state;
    private Object lock;
    private Turns turns;
    private Presence presence;
    private Steering steering;
    private Visits visits;
    private RemoteTurn remote;

    @PostConstruct
    void init() {
        state = new ConversationState(scope.currentId(), Instant.now().getEpochSecond(),
                new History(new HistoryBudget(settings.maxHistoryTokens())));
        lock = state.lock;
        turns = new Turns(state, this, upstream, store, clientLimits, telemetry, settings, ledger);
        remote = new RemoteTurn(state, this, turns, ledger, store, settings);
        presence = new Presence(state, settings, turns::cancel, this::unloadIfIdle);
        steering = new Steering(state, turns, store, requestLimits, settings);
        visits = new Visits(state, this, steering, store);
        turns.onCommitted(new Titles(state, upstream, settings, steering)::suggest);
        scope.stored().ifPresent(this::restore);
        scope.pending().ifPresent(state::firstTurnElsewhere);
        telemetry.conversationLoaded();
    }

    /** Takes the stored conversation as this one (under the lock, or before it is shared). */
    void restore(HistoryStore.Stored from) {
        state.stored = true;
        state.created = from.created();
        state.owner = from.owner();
        state.history.restore(from.messages(), from.active());
        state.profile = Profile.of(from.title(), from.settings());
        state.usage = from.usage();
    }

    /**
     * The conversation ends with the application (server shutdown, undeploy): the turn in flight is
     * cancelled as in §4, then every socket is closed with 1001 once its frames are out.
     */
    @PreDestroy
    void shutdown() {
        telemetry.conversationUnloaded();
        synchronized (lock) {
            close(Peer::goAway);
        }
    }

    /** Ends the turn in flight (cancelled), stops the timers and lets every socket go with {@code farewell}; under the lock. */
    void close(Consumer<Peer> farewell) {
        state.unloaded = true;
        presence.stop();
        if (state.turn != null) {
            turns.cancel(state.turn);
        }
        if (state.committing) {
            // The turn's terminal frame comes when its commit ends: the sockets go after it, with the first farewell asked for.
            if (state.pendingFarewell == null) {
                state.pendingFarewell = farewell;
            }
            return;
        }
        state.audience.leaveAll().forEach(farewell);
    }

    /**
     * Deletes this conversation (the right to erasure) if {@code user} (null: anonymous) may: the
     * turn in flight ends cancelled without committing, every socket is closed with 4404 once its
     * frames are out, and the conversation is forgotten in memory. The caller deletes it from the
     * store. False, and nothing done, if it belongs to another user.
     */
    public boolean eraseFor(String user) {
        synchronized (lock) {
            if (state.owner != null && !state.owner.equals(user)) {
                return false;
            }
            erase();
            return true;
        }
    }

    /** {@link #eraseFor} without asking whose it is (the conversation was deleted elsewhere). */
    void erase() {
        synchronized (lock) {
            state.erased = true;
            close(Peer::gone);
            scope.end(state.id);
        }
    }

    /**
     * Forgets this conversation in memory if no socket is attached and no turn runs; its committed
     * history stays in the store. True if it was unloaded (or already was).
     */
    public boolean unloadIfIdle() {
        synchronized (lock) {
            if (!state.unloaded && !state.idle()) {
                return false;
            }
            if (!state.unloaded) {
                state.unloaded = true;
                presence.stop();
                scope.end(state.id);
            }
            return true;
        }
    }

    /** With no socket and no turn left, unloads this conversation after {@code chat.conversation.unload-after}. */
    void unloadWhenIdle() {
        presence.unloadWhenIdle();
    }

    /**
     * Attaches a socket: it gets the {@code conversation} frame, then every frame relayed so far of
     * the turn in flight here or elsewhere ({@link RemoteTurn}), then the rest. A conversation nobody
     * was attached to first catches up with the store, where another server may have changed it.
     */
    public Attach attach(Peer peer) {
        synchronized (lock) {
            if (state.unloaded) {
                return Attach.GONE;
            }
            if (state.owner != null && !state.owner.equals(peer.user())) {
                return Attach.NOT_YOURS;
            }
            presence.stop();
        }
        Optional<CatchUp.Found> found = needsCatchUp() ? catchUp() : Optional.empty();
        Optional<TurnLedger.Remote> elsewhere = remote.lookup();
        synchronized (lock) {
            if (needsCatchUp()) {
                found.ifPresent(this::apply);
            }
            if (state.unloaded) {
                return Attach.GONE;
            }
            state.audience.add(peer);
            peer.send(state.snapshot());
            if (state.turn != null) {
                state.turn.eachRelayed(peer::send);
            } else {
                remote.attached(peer, elsewhere);
            }
            return Attach.ATTACHED;
        }
    }

    /** Starts this new conversation with {@code peer}, whose user (null: anonymous) owns it. */
    public void open(Peer peer) {
        synchronized (lock) {
            state.owner = peer.user();
            attach(peer);
        }
    }

    /** What HTTP requests (§12) ask of this conversation. */
    public Visits visits() {
        return visits;
    }

    /** Its part in turns that cross servers. */
    RemoteTurn remote() { return remote; }

    /** Whether this conversation is to read the store before serving a socket: it is stored and nobody is using it. */
    boolean needsCatchUp() {
        synchronized (lock) {
            return state.stored && state.idle() && !state.unloaded;
        }
    }

    /** Reads the store (no lock held) for what another server did meanwhile; {@link #apply} it under the lock. */
    Optional<CatchUp.Found> catchUp() {
        return CatchUp.check(store, state);
    }

    /** Takes what {@link #catchUp} found: the stored history, unless this copy moved on meanwhile, or the erasure. */
    void apply(CatchUp.Found found) {
        if (found instanceof CatchUp.Newer newer && state.history.size() == newer.known() && state.history.active() == newer.knownActive()) {
            restore(newer.stored());
        } else if (found instanceof CatchUp.Erased && state.stored) {
            erase();
        }
    }

    /** Detaches a socket that closed; the turn in flight may run on for the resume grace ({@link Presence#left}). */
    public void detach(Peer peer) {
        synchronized (lock) {
            presence.left(peer);
        }
    }

    /** Detaches a socket the server gave up on (too slow to read): no grace, as nobody is coming back. */
    public void drop(Peer peer) {
        synchronized (lock) {
            presence.dropped(peer);
        }
    }

    /** Answers one frame from {@code from}. */
    public void receive(Peer from, InboundFrame frame) {
        if (frame instanceof MalformedFrame malformed) {
            reject(from, ErrorFrame.of(ErrorCode.INVALID_JSON, "The frame is not a JSON object: " + malformed.detail()));
        } else if (frame instanceof ControlFrame control) {
            control(from, control);
        } else if (frame instanceof ChatRequest request) {
            Optional<ErrorFrame> invalid = RequestValidator.check(request).or(() -> requestLimits.check(request.body())
                    .map(over -> ErrorFrame.about(ErrorCode.INVALID_REQUEST, over.param(), over.message())));
            if (invalid.isPresent()) {
                reject(from, invalid.get());
            } else {
                turns.request(from, request);
            }
        }
    }

    private void control(Peer from, ControlFrame frame) {
        String type = frame.type();
        if (ControlFrame.CANCEL.equals(type)) {
            synchronized (lock) {
                turns.cancelAsked(from, remote::cancel);
            }
        } else if (ControlFrame.GET_CONVERSATION.equals(type)) {
            synchronized (lock) {
                from.send(state.snapshot());
            }
        } else if (!steering.handle(from, frame)) {
            reject(from, ErrorFrame.about(ErrorCode.UNKNOWN_TYPE, "type", UNKNOWN));
        }
    }

    private void reject(Peer from, ErrorFrame error) {
        Rejections.reply(LOG, state.id, from, error);
    }
}
