package dev.chatws.conversation.control;

import dev.chatws.conversation.entity.ChatRequest;
import dev.chatws.conversation.entity.ControlFrame;
import dev.chatws.conversation.entity.ConversationFrame;
import dev.chatws.conversation.entity.ErrorCode;
import dev.chatws.conversation.entity.ErrorFrame;
import dev.chatws.conversation.entity.InboundFrame;
import dev.chatws.conversation.entity.MalformedFrame;
import dev.chatws.conversation.entity.RawFrame;
import dev.chatws.conversation.entity.ServerFrame;
import dev.chatws.json.JsonText;
import dev.chatws.limits.control.ClientLimits;
import dev.chatws.telemetry.control.ChatTelemetry;
import io.opentelemetry.context.Scope;
import dev.chatws.limits.control.RequestLimits;
import dev.chatws.upstream.control.UpstreamClient;
import dev.chatws.upstream.control.UpstreamListener;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A conversation: its committed history, the one turn in flight, and the sockets attached to it.
 * It answers every frame a client sends (PROTOCOL §2–§4): validates chat requests, starts a turn
 * against the upstream, relays each chunk to every attached socket as it arrives, ends the turn
 * with exactly one terminal frame and commits what the turn adds to the history.
 *
 * <p>Scope: {@link ChatScoped}, one instance per conversation id, outliving any socket.
 * Threading: socket callbacks and the upstream reader thread meet here; all state is guarded by
 * one lock per conversation, held only to update state and queue frames (queuing never blocks).
 * No database call runs under it: a turn's commit runs on a background thread while the turn
 * still holds the conversation's one turn slot, and reading the store to catch up happens before
 * the lock is taken.
 */
@ChatScoped
public class Conversation {

    private static final Logger LOG = Logger.getLogger(Conversation.class.getName());
    private static final Peer[] NO_PEERS = new Peer[0];

    @Inject
    ChatScope scope;

    @Inject
    UpstreamClient upstream;

    @Inject
    ConversationStore store;

    @Inject
    RequestLimits requestLimits;

    @Inject
    ClientLimits clientLimits;

    @Inject
    ChatTelemetry telemetry;

    @Inject
    ConversationSettings settings;

    private final Object lock = new Object();
    private final List<JsonObject> history = new ArrayList<>();
    private final Set<Peer> peers = new LinkedHashSet<>();
    /** While true (under the lock), broadcasts push frames for the upstream reader to flush. */
    private boolean pushing;
    private final Map<JsonObject, Long> tokens = new IdentityHashMap<>(4);
    /** The JSON text of each history message, as stored: a turn's upstream body is put together from these. */
    private final Map<JsonObject, String> texts = new IdentityHashMap<>(4);
    private HistoryBudget budget;
    private Duration grace;
    private String defaultModel;
    private ScheduledFuture<?> graceTimer;
    private ScheduledFuture<?> unloadTimer;
    private Duration unloadDelay;
    private boolean unloaded;
    private boolean erased;
    private boolean stored;
    private String owner;
    private int trimmed;
    private long historyChars;
    private String id;
    private long created;
    private Turn turn;
    /** While true, the ended {@link #turn} is being written to the store; its terminal frame follows. */
    private boolean committing;
    /** How the sockets are to be let go once the commit in flight ends (the conversation closed meanwhile). */
    private Consumer<Peer> pendingFarewell;

    @PostConstruct
    void init() {
        id = scope.currentId();
        created = Instant.now().getEpochSecond();
        budget = new HistoryBudget(settings.maxHistoryTokens());
        grace = settings.grace();
        unloadDelay = settings.unloadDelay();
        defaultModel = settings.defaultModel();
        scope.stored().ifPresent(this::restore);
        telemetry.conversationLoaded();
    }

    /** Takes the stored history as this conversation's (under the lock, or before it is shared). */
    private void restore(ConversationStore.Stored from) {
        stored = true;
        created = from.created();
        owner = from.owner();
        history.clear();
        tokens.clear();
        texts.clear();
        historyChars = 0;
        for (String json : from.messages()) {
            JsonObject message;
            try {
                message = JsonText.object(json);
            } catch (JsonText.Unreadable e) {
                throw new StoreException("A stored message could not be read (" + e.getMessage() + ")", e);
            }
            history.add(message);
            texts.put(message, json);
            historyChars += HistoryBudget.chars(message);
        }
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
    private void close(Consumer<Peer> farewell) {
        unloaded = true;
        stopTimers();
        if (turn != null) {
            cancel(turn);
        }
        if (committing) {
            // The turn's terminal frame comes when its commit ends: the sockets go after it, with the first farewell asked for.
            if (pendingFarewell == null) {
                pendingFarewell = farewell;
            }
            return;
        }
        List<Peer> leaving = List.copyOf(peers);
        peers.clear();
        leaving.forEach(farewell);
    }

    /**
     * Deletes this conversation (the right to erasure) if {@code user} (null: anonymous) may: the
     * turn in flight ends cancelled without committing, every socket is closed with 4404 once its
     * frames are out, and the conversation is forgotten in memory. The caller deletes it from the
     * store. False, and nothing done, if it belongs to another user.
     */
    public boolean eraseFor(String user) {
        synchronized (lock) {
            if (owner != null && !owner.equals(user)) {
                return false;
            }
            erase();
            return true;
        }
    }

    /** {@link #eraseFor} without asking whose it is (the conversation was deleted elsewhere). */
    void erase() {
        synchronized (lock) {
            erased = true;
            close(Peer::gone);
            scope.end(id);
        }
    }

    /**
     * Forgets this conversation in memory if no socket is attached and no turn runs; its committed
     * history stays in the store. True if it was unloaded (or already was).
     */
    public boolean unloadIfIdle() {
        synchronized (lock) {
            if (!unloaded && (!peers.isEmpty() || turn != null)) {
                return false;
            }
            if (!unloaded) {
                unloaded = true;
                stopTimers();
                scope.end(id);
            }
            return true;
        }
    }

    private void stopTimers() {
        if (graceTimer != null) {
            graceTimer.cancel(false);
            graceTimer = null;
        }
        if (unloadTimer != null) {
            unloadTimer.cancel(false);
            unloadTimer = null;
        }
    }

    /** With no socket and no turn left, unloads this conversation after {@code chat.conversation.unload-after}. */
    private void unloadWhenIdle() {
        if (!peers.isEmpty() || turn != null || unloaded) {
            return;
        }
        if (unloadTimer != null) {
            unloadTimer.cancel(false);
        }
        unloadTimer = settings.schedule(this::unloadIfIdle, unloadDelay);
    }

    /**
     * Attaches a socket: it gets the {@code conversation} frame, then every frame of the turn in
     * flight relayed so far, then everything that follows. A conversation nobody was attached to
     * first catches up with the store, where another server may have committed turns meanwhile.
     * False if this conversation was unloaded or erased meanwhile (the caller looks it up again).
     */
    public Attach attach(Peer peer) {
        Optional<Runnable> caughtUp = Optional.empty();
        synchronized (lock) {
            if (unloaded) {
                return Attach.GONE;
            }
            if (owner != null && !owner.equals(peer.user())) {
                return Attach.NOT_YOURS;
            }
            stopTimers();
        }
        if (needsCatchUp()) {
            caughtUp = catchUp();
        }
        synchronized (lock) {
            if (needsCatchUp()) {
                caughtUp.ifPresent(Runnable::run);
            }
            if (unloaded) {
                return Attach.GONE;
            }
            peers.add(peer);
            peer.send(snapshot());
            if (turn != null) {
                turn.relayed().forEach(peer::send);
            }
            return Attach.ATTACHED;
        }
    }

    /** Starts this new conversation with {@code peer}, whose user (null: anonymous) owns it. */
    public void open(Peer peer) {
        synchronized (lock) {
            owner = peer.user();
            attach(peer);
        }
    }

    /** What became of a socket that asked to attach. */
    public enum Attach {
        ATTACHED,
        /** The conversation was unloaded or erased meanwhile: look it up again. */
        GONE,
        /** It belongs to another user: to the client, as unknown as a conversation that does not exist. */
        NOT_YOURS
    }

    /** Whether this conversation is to read the store before serving a socket: it is stored and nobody is using it. */
    private boolean needsCatchUp() {
        synchronized (lock) {
            return stored && peers.isEmpty() && turn == null && !unloaded;
        }
    }

    /**
     * Reads the store (no lock held), where another server may have committed turns or erased
     * this conversation, and returns what to apply under the lock: take the stored history, or
     * erase this copy too. Usually nothing changed, and it costs one count query, not a read of
     * the history.
     */
    private Optional<Runnable> catchUp() {
        try {
            int known;
            synchronized (lock) {
                known = history.size();
            }
            OptionalLong size = store.size(id);
            if (size.isEmpty()) {
                return Optional.of(() -> {
                    if (stored) {
                        erase();
                    }
                });
            }
            if (size.getAsLong() > known) {
                Optional<ConversationStore.Stored> loaded = store.load(id);
                return loaded.map(from -> () -> {
                    if (history.size() == known) {
                        restore(from);
                    }
                });
            }
        } catch (StoreException e) {
            LOG.warning(() -> ChatScope.redact(id) + ": could not catch up with the store; serving the history in memory. " + e.getMessage());
        }
        return Optional.empty();
    }

    /**
     * Detaches a socket that closed. When the last one leaves during a turn, the turn runs on for
     * {@code chat.resume.grace} so that a socket reattaching in time gets it whole; if none does, it
     * is cancelled (§4). A grace of 0 cancels it at once.
     */
    public void detach(Peer peer) {
        synchronized (lock) {
            peers.remove(peer);
            unloadWhenIdle();
            if (!peers.isEmpty() || turn == null) {
                return;
            }
            if (grace.isZero() || grace.isNegative()) {
                cancel(turn);
                return;
            }
            Turn waiting = turn;
            graceTimer = settings.schedule(() -> graceOver(waiting), grace);
        }
    }

    /** Detaches a socket the server gave up on (too slow to read): no grace, as nobody is coming back. */
    public void drop(Peer peer) {
        synchronized (lock) {
            peers.remove(peer);
            if (peers.isEmpty() && turn != null) {
                cancel(turn);
            }
            unloadWhenIdle();
        }
    }

    private void graceOver(Turn waiting) {
        synchronized (lock) {
            graceTimer = null;
            if (turn == waiting && peers.isEmpty()) {
                LOG.fine(() -> ChatScope.redact(id) + ": nobody reattached within chat.resume.grace; cancelling the turn");
                cancel(waiting);
            }
        }
    }

    /** Answers one frame from {@code from}. */
    public void receive(Peer from, InboundFrame frame) {
        if (frame instanceof MalformedFrame malformed) {
            reject(from, ErrorFrame.of(ErrorCode.INVALID_JSON, "The frame is not a JSON object: " + malformed.detail()));
        } else if (frame instanceof ControlFrame control) {
            control(from, control);
        } else if (frame instanceof ChatRequest request) {
            Optional<ErrorFrame> invalid = RequestValidator.check(request).or(() -> requestLimits.check(request.body()));
            if (invalid.isPresent()) {
                reject(from, invalid.get());
            } else {
                start(from, request);
            }
        }
    }

    private void control(Peer from, ControlFrame frame) {
        String type = frame.type();
        if (ControlFrame.CANCEL.equals(type)) {
            synchronized (lock) {
                if (turn == null) {
                    reject(from, ErrorFrame.of(ErrorCode.NO_TURN_IN_PROGRESS, "There is no turn in progress to cancel."));
                } else {
                    cancel(turn);
                }
            }
        } else if (ControlFrame.GET_CONVERSATION.equals(type)) {
            synchronized (lock) {
                from.send(snapshot());
            }
        } else {
            reject(from, ErrorFrame.about(ErrorCode.UNKNOWN_TYPE, "type",
                    "Unknown frame type; the known types are response.cancel and conversation.get."));
        }
    }

    private void start(Peer from, ChatRequest request) {
        synchronized (lock) {
            if (turn != null) {
                reject(from, ErrorFrame.of(ErrorCode.TURN_IN_PROGRESS,
                        "A turn of this conversation is in progress; send response.cancel or wait for its end."));
                return;
            }
            Optional<ErrorFrame> limited = clientLimits.startTurn(from.client());
            if (limited.isPresent()) {
                reject(from, limited.get());
                return;
            }
            List<JsonObject> added = new ArrayList<>();
            request.body().getJsonArray("messages").forEach(message -> added.add(message.asJsonObject()));
            String model = request.body().get("model") instanceof JsonString named ? named.getString() : defaultModel;
            Turn started = new Turn(from.client(), added, request.streaming(), telemetry.turnStarted(ChatScope.redact(id), model));
            turn = started;
            long chars = historyChars + added.stream().mapToLong(HistoryBudget::chars).sum();
            HistoryBudget.Selection sent = budget.select(history, added, chars,
                    message -> tokens.computeIfAbsent(message, HistoryBudget::tokens));
            trimmed = sent.trimmed();
            byte[] body = UpstreamRequest.body(sent.messages(), message -> {
                String text = texts.get(message);
                return text != null ? text : message.toString();
            }, request.body(), defaultModel);
            try (Scope current = started.trace().makeCurrent()) {
                started.call(upstream.start(body, started.streaming(), new Reader(started)));
            } catch (UpstreamClient.CircuitOpenException e) {
                fail(started, ErrorFrame.upstream(null,
                        "The upstream API has kept failing, so calls to it are paused for a while; try again shortly."));
            } catch (UpstreamClient.AtCapacityException e) {
                fail(started, ErrorFrame.of(ErrorCode.RATE_LIMITED,
                        "The server is running as many upstream calls as it allows; try again shortly."));
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Could not start the upstream call: {0}", e.getClass().getName());
                fail(started, ErrorFrame.upstream(null, "The upstream API could not be called."));
            }
        }
    }

    /** Answers a frame with {@code error}; the log gets the first of each kind per socket, then counts ({@link Rejections}). */
    private void reject(Peer from, ErrorFrame error) {
        String detail = error.error().code() + (error.error().param() == null ? "" : " at " + error.error().param());
        from.rejections().note(error.error().code(), detail).ifPresent(line -> LOG.log(Level.INFO, "{0}: {1}", new Object[] {ChatScope.redact(id), line}));
        from.send(error);
    }

    private ConversationFrame snapshot() {
        JsonArrayBuilder messages = JsonText.PROVIDER.createArrayBuilder();
        history.forEach(messages::add);
        return new ConversationFrame(id, created, messages.build(), trimmed == 0 ? null : trimmed);
    }

    private void broadcast(ServerFrame frame) {
        for (Peer peer : peers) {
            if (pushing) {
                peer.push(frame);
            } else {
                peer.send(frame);
            }
        }
    }

    /**
     * Runs {@code transition} under the lock with broadcasts pushed, not sent, then flushes every
     * socket outside the lock: the thread that reads the upstream writes the frames itself (see
     * {@link Peer#flush()}). Only for that thread: flushing may block until the sockets take them.
     */
    private void relay(Runnable transition) {
        Peer[] targets;
        synchronized (lock) {
            pushing = true;
            try {
                transition.run();
            } finally {
                pushing = false;
            }
            targets = peers.toArray(NO_PEERS);
        }
        for (Peer peer : targets) {
            peer.flush();
        }
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

    private void cancel(Turn ended) {
        if (ended.end(Turn.State.CANCELLED)) {
            JsonObject completion = ended.aggregate().completion(true);
            finish(ended, ended.aggregate().assistantMessage(true), completion, new RawFrame(JsonText.wellFormed(completion.toString())));
        }
    }

    private void fail(Turn ended, ErrorFrame error) {
        if (ended.end(Turn.State.FAILED)) {
            LOG.log(Level.INFO, "{0}: turn failed: {1}", new Object[] {ChatScope.redact(id), error.error().message()});
            ended.trace().failed(error.error().code());
            turn = null;
            broadcast(error);
            unloadWhenIdle();
        }
    }

    /**
     * Counts the turn's token usage against its client and hands the turn's messages (and the
     * assistant's, if any) to {@link #commit} on a background thread; the turn keeps the slot
     * meanwhile, so no other turn starts on a history that is still being written. Under the lock.
     */
    private void finish(Turn ended, Optional<JsonObject> assistant, JsonObject completion, RawFrame terminal) {
        clientLimits.spend(ended.client(), completion);
        List<JsonObject> committed = new ArrayList<>(ended.requestMessages());
        assistant.ifPresent(committed::add);
        List<String> committedTexts = committed.stream().map(message -> JsonText.wellFormed(message.toString())).toList();
        int from = history.size();
        boolean write = !erased;
        committing = true;
        try {
            settings.background(() -> commit(ended, committed, committedTexts, from, write, completion, terminal));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // The application is stopping and its commit threads are gone: commit here, as a last resort.
            commit(ended, committed, committedTexts, from, write, completion, terminal);
        }
    }

    /**
     * Writes a turn to the store (no lock held; {@link ConversationStore#append} retries once on a
     * fresh connection), then, under the lock, takes it into memory, frees the turn slot and sends
     * the terminal frame. If the store fails, nothing is committed and the terminal frame is
     * {@code internal_error} instead (the client may send the turn again).
     */
    private void commit(Turn ended, List<JsonObject> committed, List<String> committedTexts, int from, boolean write,
            JsonObject completion, RawFrame terminal) {
        StoreException failure = null;
        if (write) {
            try {
                store.append(id, created, owner, from, committedTexts, Instant.now().getEpochSecond());
            } catch (StoreException e) {
                failure = e;
            }
        }
        Optional<Runnable> caughtUp = failure == null ? Optional.empty() : catchUp();
        boolean eraseAgain;
        Peer[] targets;
        Consumer<Peer> farewell;
        synchronized (lock) {
            turn = null;
            committing = false;
            // Pushed, then flushed below on this thread of the application's own: while the server
            // stops, Liberty may no longer run the asynchronous writes it hands to its own threads.
            pushing = true;
            try {
                if (failure == null) {
                    stored |= write;
                    history.addAll(committed);
                    for (int i = 0; i < committed.size(); i++) {
                        texts.put(committed.get(i), committedTexts.get(i));
                    }
                    historyChars += committed.stream().mapToLong(HistoryBudget::chars).sum();
                    ended.trace().ended(ended.cancelled(), completion);
                    broadcast(terminal);
                } else {
                    LOG.log(Level.WARNING, "{0}: the turn was not committed. {1}", new Object[] {ChatScope.redact(id), failure.getMessage()});
                    ended.trace().failed(ErrorCode.INTERNAL_ERROR.code());
                    caughtUp.ifPresent(Runnable::run);
                    broadcast(ErrorFrame.of(ErrorCode.INTERNAL_ERROR,
                            "The conversation could not be saved, so this turn was not committed; send it again."));
                }
            } finally {
                pushing = false;
            }
            targets = peers.toArray(NO_PEERS);
            farewell = pendingFarewell;
            pendingFarewell = null;
            if (farewell == null) {
                unloadWhenIdle();
            }
            eraseAgain = erased && write && failure == null;
        }
        for (Peer peer : targets) {
            peer.flush();
        }
        if (farewell != null) {
            synchronized (lock) {
                close(farewell);
                unloadWhenIdle();
            }
        }
        if (eraseAgain) {
            // Erased while this commit was being written: the erasure's delete may have come first.
            try {
                store.delete(id);
            } catch (StoreException e) {
                LOG.warning(() -> ChatScope.redact(id) + ": could not delete a turn committed during its erasure. " + e.getMessage());
            }
        }
    }

    /** Receives the upstream's events for one turn, on the upstream reader thread. */
    private final class Reader implements UpstreamListener {
        private final Turn owner;

        Reader(Turn owner) {
            this.owner = owner;
        }

        @Override
        public void event(String data) {
            JsonObject chunk = parse(data);
            if (chunk == null) {
                return;
            }
            relay(() -> {
                if (turn == owner) {
                    broadcast(owner.relay(data, chunk));
                }
            });
        }

        @Override
        public void completed(boolean done) {
            relay(() -> {
                if (turn != owner) {
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
        public void body(String json) {
            JsonObject completion = parse(json);
            if (completion == null) {
                return;
            }
            relay(() -> {
                if (turn == owner) {
                    completeWith(owner, json, completion);
                }
            });
        }

        @Override
        public void failed(Integer status, String message) {
            end(ErrorFrame.upstream(status, message));
        }

        @Override
        public void timedOut(String message) {
            end(ErrorFrame.upstreamTimeout(message));
        }

        private void end(ErrorFrame error) {
            synchronized (lock) {
                if (turn == owner) {
                    fail(owner, error);
                }
            }
        }

        /** The event as a JSON object; null (and the turn failed) if it is not one or is an error event. */
        private JsonObject parse(String data) {
            JsonObject object;
            try {
                object = JsonText.object(data);
            } catch (JsonText.Unreadable e) {
                failed(null, "The upstream sent an event that is not a JSON object within the parser's limits.");
                return null;
            }
            JsonValue error = object.get("error");
            if (error != null && error.getValueType() != JsonValue.ValueType.NULL) {
                failed(null, "The upstream reported an error" + errorCode(error) + ".");
                return null;
            }
            return object;
        }

        private String errorCode(JsonValue error) {
            if (error.getValueType() == JsonValue.ValueType.OBJECT) {
                JsonValue code = error.asJsonObject().get("code");
                if (code instanceof JsonString text && text.getString().matches("[A-Za-z0-9_.\\-]{1,64}")) {
                    return " (" + text.getString() + ")";
                }
            }
            return "";
        }
    }
}
