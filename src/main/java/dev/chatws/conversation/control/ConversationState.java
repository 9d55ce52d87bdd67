package dev.chatws.conversation.control;

import dev.chatws.conversation.entity.TokenUsage;
import java.util.function.Consumer;

/**
 * What one conversation's parts share: its lock, and everything that lock guards. The
 * {@link Conversation} (sockets, lifecycle) and its {@link Turns} (the turn in flight) read and
 * write it only while holding {@link #lock}; {@link #id} never changes.
 */
final class ConversationState {

    final Object lock = new Object();
    /** Held (never with {@link #lock}) while one title and settings update is computed and stored, so updates take turns. */
    final Object updates = new Object();
    final String id;
    final History history;
    final Audience audience = new Audience();
    long created;
    /** The user the conversation belongs to; null: anonymous. */
    String owner;
    /** Its title and settings (PROTOCOL §10). */
    Profile profile = Profile.NONE;
    /** The tokens its committed turns used. */
    TokenUsage usage = TokenUsage.NONE;
    /** Whether it is in the store (a turn was committed, or it was loaded from there). */
    boolean stored;
    /** Forgotten in memory: nothing attaches to this instance any more. */
    boolean unloaded;
    boolean erased;
    /** The turn in flight (streaming, or ended and being committed); null when there is none. */
    Turn turn;
    /** While true, a turn is claiming the conversation's slot in the store ({@link TurnStart}): no other starts meanwhile. */
    boolean claiming;
    /** The client cancelled while the claim was out: the turn ends as soon as it starts. */
    boolean cancelClaimed;
    /** A turn of another server that this server's sockets watch ({@link RemoteTurn}); null: none. */
    RemoteTurn.Watching remote;
    /** While true, a branch switch is being written to the store: no turn starts meanwhile. */
    boolean steering;
    /** While true, the ended {@link #turn} is being written to the store; its terminal frame follows. */
    boolean committing;
    /** Another server changed it while a turn or switch was in flight here: it catches up when that ends. */
    boolean changedElsewhere;
    /** How the sockets are to be let go once the commit in flight ends (the conversation closed meanwhile). */
    Consumer<Peer> pendingFarewell;

    ConversationState(String id, long created, History history) {
        this.id = id;
        this.created = created;
        this.history = history;
    }

    /** A new conversation, not stored yet, whose first turn runs on another server: its creation and owner are that turn's. */
    void firstTurnElsewhere(TurnRecord first) {
        created = first.created();
        owner = first.owner();
    }

    /** The {@code conversation} frame as it stands. */
    dev.chatws.conversation.entity.ConversationFrame snapshot() {
        return history.snapshot(id, created, profile, usage);
    }

    /** Whether a turn is in flight, here or on another server, or starting, or a switch is being stored: nothing else may start. */
    boolean busy() {
        return turn != null || steering || claiming || remote != null;
    }

    /** Whether the conversation is idle: no socket attached, no turn. */
    boolean idle() {
        return audience.isEmpty() && turn == null;
    }
}
