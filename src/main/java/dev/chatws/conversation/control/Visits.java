package dev.chatws.conversation.control;

import dev.chatws.conversation.entity.ConversationExport;
import dev.chatws.conversation.entity.ServerFrame;
import jakarta.json.JsonObject;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * What comes to one conversation from outside its sockets: other servers' changes
 * ({@link #changedElsewhere}), and HTTP requests (PROTOCOL §12): its {@code conversation} frame, its
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

    private static final Logger LOG = Logger.getLogger(Visits.class.getName());

    private final ConversationState state;
    private final Conversation conversation;
    private final Steering steering;
    private final HistoryStore store;

    Visits(ConversationState state, Conversation conversation, Steering steering, HistoryStore store) {
        this.state = state;
        this.conversation = conversation;
        this.steering = steering;
        this.store = store;
    }

    /**
     * Another server changed this conversation in the store ({@link ChangeFeed}): it is read
     * again (no lock held) and taken as it is there, and every socket gets the new conversation
     * frame; if it was deleted there, it is erased here too (its sockets get 4404). While a turn,
     * its commit or a switch is in flight here, it waits until that ends (a commit that lost the
     * race to the other server's fails and catches up as before).
     */
    public void changedElsewhere() {
        int known;
        synchronized (state.lock) {
            if (state.unloaded) {
                return;
            }
            if (state.busy() || state.committing) {
                state.changedElsewhere = true;
                return;
            }
            known = state.history.size();
        }
        Optional<HistoryStore.Stored> stored;
        try {
            stored = store.load(state.id);
        } catch (StoreException e) {
            LOG.fine(() -> ChatScope.redact(state.id) + ": could not follow a change made elsewhere: " + e.getMessage());
            return;
        }
        Peer[] targets;
        synchronized (state.lock) {
            if (state.unloaded || state.busy() || state.committing || state.history.size() != known) {
                state.changedElsewhere |= !state.unloaded;
                return;
            }
            state.changedElsewhere = false;
            if (stored.isEmpty()) {
                if (state.stored) {
                    conversation.erase();
                }
                return;
            }
            if (same(stored.get())) {
                return;
            }
            conversation.restore(stored.get());
            state.audience.broadcast(state.snapshot());
            targets = state.audience.targets();
        }
        Audience.deliver(targets, true);
    }

    /** Whether the store holds what memory does (a notification for nothing new, as after the feed reconnected); under the lock. */
    private boolean same(HistoryStore.Stored stored) {
        int active = stored.active() < 0 ? stored.messages().size() - 1 : stored.active();
        return stored.messages().size() == state.history.size() && active == state.history.active()
                && Profile.of(stored.title(), stored.settings()).equals(state.profile) && stored.usage().equals(state.usage);
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
