package dev.chatws.conversation.control;

import dev.chatws.conversation.entity.ConversationExport;
import dev.chatws.conversation.entity.ServerFrame;
import jakarta.json.JsonObject;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What HTTP requests (PROTOCOL §12) ask of one conversation: its {@code conversation} frame, its
 * export (every branch), an update of its title and settings. Each first checks whose it is (a
 * user's conversation is that user's only; an anonymous one is whoever's holds its id), and, when
 * no socket or turn uses it here, catches up with the store, where another server may have changed
 * it; afterwards the conversation unloads itself again once idle. Empty: it belongs to another
 * user, or went away meanwhile; to the caller both are 404.
 *
 * <p>One per {@link Conversation} ({@link Conversation#visits()}); called on request threads, which may block on the store: no
 * store call runs under the conversation's lock.
 */
public final class Visits {

    private final ConversationState state;
    private final Conversation conversation;
    private final Steering steering;

    Visits(ConversationState state, Conversation conversation, Steering steering) {
        this.state = state;
        this.conversation = conversation;
        this.steering = steering;
    }

    /** The {@code conversation} frame (§3.1, §8) for {@code user} (null: anonymous). */
    public Optional<ServerFrame> view(String user) {
        return visit(user, () -> {
            synchronized (state.lock) {
                return state.snapshot();
            }
        });
    }

    /** Every message of every branch (§12) for {@code user}. */
    public Optional<ConversationExport> export(String user) {
        return visit(user, () -> {
            synchronized (state.lock) {
                History history = state.history;
                return new ConversationExport(state.id, state.created, state.profile.title(), state.profile.settings(),
                        history.active() < 0 ? null : "msg_" + history.active(), history.export());
            }
        });
    }

    /** What the update answered: the conversation frame (also sent to every socket), or the error that refused it. */
    public Optional<ServerFrame> update(String user, JsonObject body) {
        return visit(user, () -> steering.update(body, false));
    }

    private <T> Optional<T> visit(String user, Supplier<T> what) {
        synchronized (state.lock) {
            if (state.unloaded || state.owner != null && !state.owner.equals(user)) {
                return Optional.empty();
            }
        }
        Optional<CatchUp.Found> found = conversation.needsCatchUp() ? conversation.catchUp() : Optional.empty();
        synchronized (state.lock) {
            if (conversation.needsCatchUp()) {
                found.ifPresent(conversation::apply);
            }
            if (state.unloaded) {
                return Optional.empty();
            }
        }
        T answer = what.get();
        synchronized (state.lock) {
            conversation.unloadWhenIdle();
        }
        return Optional.of(answer);
    }
}
