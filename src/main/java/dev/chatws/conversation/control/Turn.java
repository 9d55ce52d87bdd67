package dev.chatws.conversation.control;

import dev.chatws.conversation.entity.FrameText;
import dev.chatws.conversation.entity.RawFrame;
import dev.chatws.conversation.entity.ServerFrame;
import dev.chatws.telemetry.control.ChatTelemetry;
import dev.chatws.upstream.control.Upstream;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One turn of a conversation: the request's new messages, the frames relayed so far, the
 * aggregate they add up to, and the upstream exchange. Its state moves once, from
 * {@link State#STREAMING} to one terminal state; the conversation sends the terminal frame and
 * commits on that move only, so cancel, disconnect and upstream end cannot both finish a turn.
 *
 * <p>Not thread-safe: guarded by its conversation's lock.
 */
final class Turn {

    /** Where a turn stands. */
    enum State { STREAMING, COMPLETED, CANCELLED, FAILED }

    /** What kind of turn: one that continues the active path, or one that steers it (PROTOCOL §9). */
    enum Kind { TURN, REGENERATE, EDIT }

    /**
     * Where a turn goes in the history: after {@code base} (a prefix of the active path, sent
     * upstream before the new messages), its first new message following {@code parent} (-1:
     * none). A regenerate commits its answer only: its new messages are already there.
     */
    record Plan(Kind kind, List<History.Node> base, int parent) {
    }

    private final String id;
    private final String client;
    private final ChatTelemetry.TurnTrace trace;
    private final List<JsonObject> requestMessages;
    private final boolean streaming;
    private final CompletionAggregate aggregate = new CompletionAggregate();
    private final RelayedFrames relayed = new RelayedFrames();
    private State state = State.STREAMING;
    private Upstream.Call call;
    private Plan plan = new Plan(Kind.TURN, List.of(), -1);
    private JsonObject request;
    private JsonObject effective;
    private String model;
    private History.Prompt prompt;
    private boolean resent;
    /** Whether a socket on another server watches this turn: then its frames are written for it ({@link TurnLedger}). */
    private boolean watched;
    /** How many of the relayed frames were handed to the ledger for the remote watchers. */
    private int shipped;
    /** Until when (epoch ms) another server's sockets watch this turn: the resume grace does not end it before. */
    private long watchedUntil;

    Turn(String id, String client, List<JsonObject> requestMessages, boolean streaming, ChatTelemetry.TurnTrace trace) {
        this.id = id;
        this.client = client;
        this.trace = trace;
        this.requestMessages = List.copyOf(requestMessages);
        this.streaming = streaming;
    }

    /** A new turn id, unique across servers. */
    static String newId() {
        byte[] random = new byte[12];
        RANDOM.nextBytes(random);
        return "turn_" + java.util.HexFormat.of().formatHex(random);
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /** Its id, unique across servers. */
    String id() {
        return id;
    }

    boolean watched() {
        return watched;
    }

    /**
     * Another server's socket watches it from now until {@code until} (epoch ms): the frames
     * relayed so far that the ledger does not have yet, to be handed to it; none if it was watched already.
     */
    List<TurnLedger.Frame> watch(long until) {
        watchedUntil = Math.max(watchedUntil, until);
        if (watched) {
            return List.of();
        }
        watched = true;
        List<TurnLedger.Frame> unsent = new ArrayList<>();
        relayed.from(shipped, (json, seq) -> unsent.add(new TurnLedger.Frame(seq, json, false)));
        shipped = relayed.size();
        return unsent;
    }

    /** The last relayed frame was handed to the ledger. */
    void shipped() {
        shipped = relayed.size();
    }

    long watchedUntil() {
        return watchedUntil;
    }

    /** The frames the ledger does not have yet, then {@code terminal} (the frame that ended the turn) as the last. */
    private List<TurnLedger.Frame> unsent(String terminal) {
        List<TurnLedger.Frame> unsent = new ArrayList<>();
        relayed.from(shipped, (json, seq) -> unsent.add(new TurnLedger.Frame(seq, json, false)));
        unsent.add(new TurnLedger.Frame(relayed.size(), terminal, true));
        return unsent;
    }

    /** The turn's span and timings. */
    ChatTelemetry.TurnTrace trace() {
        return trace;
    }

    /** Whether the turn is still streaming: it has not ended, so what arrives is relayed. */
    boolean live() {
        return state == State.STREAMING;
    }

    /** Whether the turn ended cancelled. */
    boolean cancelled() {
        return state == State.CANCELLED;
    }

    /** The client that started this turn, whose limits it counts against. */
    String client() {
        return client;
    }

    List<JsonObject> requestMessages() {
        return requestMessages;
    }

    boolean streaming() {
        return streaming;
    }

    void call(Upstream.Call upstream) {
        this.call = upstream;
    }

    /**
     * What the turn asked for: where it goes, the client's request, that request under the
     * conversation's settings (what goes upstream), the model it runs on, and what was sent.
     */
    void asked(Plan plan, JsonObject request, JsonObject effective, String model, History.Prompt prompt) {
        this.plan = plan;
        this.request = request;
        this.effective = effective;
        this.model = model;
        this.prompt = prompt;
    }

    Plan plan() {
        return plan;
    }

    JsonObject request() {
        return request;
    }

    JsonObject effective() {
        return effective;
    }

    String model() {
        return model;
    }

    History.Prompt prompt() {
        return prompt;
    }

    /** Whether the turn was already sent once more, with less history (PROTOCOL §11); it is not again. */
    boolean resent() {
        return resent;
    }

    /** The turn goes upstream once more, with {@code smaller} a prompt. */
    void resend(History.Prompt smaller) {
        resent = true;
        prompt = smaller;
    }

    /** Whether any frame of the turn was relayed. */
    boolean relayedAny() {
        return !relayed.isEmpty();
    }

    /** Folds a chunk in and keeps its text for sockets that attach later. */
    RawFrame relay(String json, JsonObject chunk) {
        aggregate.add(chunk);
        trace.relayed();
        relayed.add(json);
        return new RawFrame(json);
    }

    /** How many frames were relayed so far. */
    int relayedCount() {
        return relayed.size();
    }

    /** Hands {@code each} the frames relayed so far, in order. */
    void eachRelayed(Consumer<RawFrame> each) {
        relayed.from(0, (json, seq) -> each.accept(new RawFrame(json)));
    }

    /**
     * The turn ended with {@code terminal}, sent to this server's sockets: {@code ledger} is told,
     * with the frames it does not have yet when turns are shared, then their storage goes back to
     * the pool and nothing may read them any more. Under the lock, after the terminal frame was queued.
     */
    void retire(TurnLedger ledger, String conversation, ServerFrame terminal) {
        ledger.ended(conversation, id, ledger.shared() ? unsent(FrameText.of(terminal)) : List.of());
        relayed.release();
    }

    CompletionAggregate aggregate() {
        return aggregate;
    }

    /** Moves to the terminal {@code to}; false (and nothing changes) if the turn had already ended. */
    boolean end(State to) {
        if (state != State.STREAMING) {
            return false;
        }
        state = to;
        if (to != State.COMPLETED && call != null) {
            call.abort();
        }
        return true;
    }
}
