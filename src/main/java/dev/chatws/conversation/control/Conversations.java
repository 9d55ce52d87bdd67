package dev.chatws.conversation.control;

import dev.chatws.config.Durations;
import dev.chatws.conversation.entity.InboundFrame;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.ContextNotActiveException;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The conversations of this server, by id: what sockets open, reattach, talk to and leave, what
 * an operator erases, and the retention job that deletes conversations idle longer than
 * {@code chat.retention} (0: kept forever), every {@code chat.retention.interval}.
 *
 * <p>Application-scoped and thread-safe. Opening and reattaching may read the store (a database
 * read on the caller's thread); nothing here waits on the upstream.
 */
@ApplicationScoped
public class Conversations {

    private static final Logger LOG = Logger.getLogger(Conversations.class.getName());
    private static final int SWEEP_BATCH = 500;

    @Inject
    ChatScope scope;

    @Inject
    Conversation conversation;

    @Inject
    ConversationStore store;

    @Inject
    ConversationCatalog catalog;

    @Inject
    @ConfigProperty(name = "chat.retention", defaultValue = "P30D")
    String retention;

    @Inject
    @ConfigProperty(name = "chat.retention.interval", defaultValue = "PT1H")
    String retentionInterval;

    @Resource
    ManagedScheduledExecutorService scheduler;

    private ScheduledFuture<?> sweeper;

    void start(@Observes @Initialized(ApplicationScoped.class) Object started) {
        Duration keep = Durations.parse(retention);
        if (keep.isZero() || keep.isNegative()) {
            return;
        }
        long every = Math.max(1, Durations.parse(retentionInterval).toMillis());
        sweeper = scheduler.scheduleWithFixedDelay(() -> sweep(keep), every, every, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        if (sweeper != null) {
            sweeper.cancel(false);
        }
    }

    /**
     * Ends every conversation in memory because the application stops: a turn in flight ends
     * cancelled (§4) and every socket is told to go away (1001) once its frames are out.
     */
    public void endAll() {
        scope.endAll();
    }

    /** Starts a new conversation with {@code peer} attached; returns its id. */
    public String open(Peer peer) {
        String id = scope.open();
        scope.run(id, () -> conversation.open(peer));
        return id;
    }

    /**
     * Attaches {@code peer} to conversation {@code id}, loading it from the store if it is not in
     * memory; false if there is no such conversation, or it belongs to another user (§5: both are
     * 4404 to the client).
     *
     * @throws StoreException if the store cannot be read
     */
    public boolean reattach(String id, Peer peer) {
        for (int attempt = 0; attempt < 3; attempt++) {
            if (!scope.resume(id)) {
                return false;
            }
            try {
                Attach attached = scope.call(id, () -> conversation.attach(peer));
                if (attached != Attach.GONE) {
                    return attached == Attach.ATTACHED;
                }
            } catch (ContextNotActiveException e) {
                LOG.fine("The conversation was unloaded while a socket attached; looking it up again");
            }
        }
        return false;
    }

    /** Hands {@code frame} from {@code peer} to conversation {@code id}, if it still exists. */
    public void receive(String id, Peer peer, InboundFrame frame) {
        inside(id, () -> conversation.receive(peer, frame));
    }

    /** {@code peer}'s socket closed (§5: a turn in flight gets the resume grace). */
    public void detach(String id, Peer peer) {
        inside(id, () -> conversation.detach(peer));
    }

    /** The server gave up on {@code peer} (too slow to read): it leaves without grace. */
    public void drop(String id, Peer peer) {
        inside(id, () -> conversation.drop(peer));
    }

    /**
     * Deletes conversation {@code id} everywhere (the right to erasure) for {@code user} (null:
     * anonymous): in memory (its sockets are closed with 4404, a turn in flight ends unsaved) and in
     * the store. False if it does not exist or belongs to another user.
     *
     * @throws StoreException if the store cannot be read or written
     */
    public boolean erase(String id, String user) {
        if (!scope.resume(id)) {
            return false;
        }
        boolean allowed;
        try {
            allowed = scope.call(id, () -> conversation.eraseFor(user));
        } catch (ContextNotActiveException e) {
            allowed = true;
        }
        if (!allowed) {
            return false;
        }
        store.delete(id);
        LOG.log(Level.INFO, "{0}: conversation erased", ChatScope.redact(id));
        return true;
    }

    /**
     * What {@code user} (null: anonymous) asks of conversation {@code id} over HTTP (§12),
     * loading it from the store if it is not in memory: empty if there is no such conversation or
     * it is another user's (both 404 to the caller).
     *
     * @throws StoreException if the store cannot be read
     */
    public <T> Optional<T> visit(String id, String user, Function<Visits, Optional<T>> what) {
        for (int attempt = 0; attempt < 3; attempt++) {
            if (!scope.resume(id)) {
                return Optional.empty();
            }
            try {
                Optional<T> answer = scope.call(id, () -> what.apply(conversation.visits()));
                if (answer.isPresent() || scope.exists(id)) {
                    return answer;
                }
            } catch (ContextNotActiveException e) {
                LOG.fine("The conversation was unloaded while a request visited it; looking it up again");
            }
        }
        return Optional.empty();
    }

    /**
     * Erases every conversation of {@code user} (§12): those in memory as {@link #erase} does,
     * then all of them, and the user's usage, in the store. Returns how many the store held.
     *
     * @throws StoreException if the store cannot be read or written
     */
    public int eraseAll(String user) {
        for (String id : catalog.owned(user)) {
            if (scope.exists(id)) {
                try {
                    scope.call(id, () -> conversation.eraseFor(user));
                } catch (ContextNotActiveException e) {
                    LOG.fine("The conversation was unloaded while it was erased");
                }
            }
        }
        int erased = catalog.eraseAll(user);
        LOG.log(Level.INFO, "Erased all {0} conversation(s) of a user", erased);
        return erased;
    }

    /**
     * Another server changed conversation {@code id} in the store (null: maybe any, notifications
     * were missed): if it is in memory here it catches up ({@link Visits#changedElsewhere}). On a
     * thread of the change feed's, never a socket's.
     */
    void changedElsewhere(@Observes ChangeFeed.ChangedElsewhere change) {
        for (String id : change.id() == null ? scope.ids() : java.util.Set.of(change.id())) {
            inside(id, () -> conversation.visits().changedElsewhere());
        }
    }

    /** Another server signalled something of a turn ({@link TurnLeases}): the conversation, if in memory here, takes it. */
    void turnSignal(@Observes ChangeFeed.TurnSignal signal) {
        inside(signal.conversation(), () -> {
            RemoteTurn remote = conversation.remote();
            switch (signal.kind()) {
                case ChangeFeed.TurnSignal.STARTED -> remote.startedElsewhere(new TurnLedger.Remote(signal.turn(), signal.from(), signal.extra()));
                case ChangeFeed.TurnSignal.FRAMES -> remote.framesWritten(signal.turn());
                case ChangeFeed.TurnSignal.WATCH -> remote.watchedElsewhere(signal.turn(), Long.parseLong(signal.extra()));
                case ChangeFeed.TurnSignal.CANCEL -> remote.cancelAsked(signal.turn());
                default -> LOG.fine("an unknown turn signal");
            }
        });
    }

    /** The ledger's heartbeat: which turns run here, which ones elsewhere sockets here watch (and those are read again). */
    void beat(@Observes TurnLeases.Beat beat) {
        for (String id : scope.ids()) {
            inside(id, () -> {
                RemoteTurn remote = conversation.remote();
                remote.runningHere().ifPresent(beat.running()::add);
                String watched = remote.watchedHere();
                if (watched != null) {
                    beat.watched().put(watched, id);
                    remote.poll();
                }
            });
        }
    }

    /** A turn watched here has no row any more: the watch ends after one more read. */
    void vanished(@Observes TurnLeases.Vanished gone) {
        inside(gone.conversation(), () -> conversation.remote().vanished(gone.turn()));
    }

    /** Sockets on another server watch a turn of this server's: it writes their frames, and the resume grace waits for them. */
    void watched(@Observes TurnLeases.Watched watched) {
        inside(watched.conversation(), () -> conversation.remote().watchedElsewhere(watched.turn(), watched.until()));
    }

    /** Deletes the conversations no turn committed to for longer than {@code keep}, but not those in use. */
    void sweep(Duration keep) {
        try {
            long before = Instant.now().minus(keep).getEpochSecond();
            List<String> idle = catalog.idleSince(before, SWEEP_BATCH);
            int deleted = 0;
            for (String id : idle) {
                if (unloadIfIdle(id) && catalog.deleteIfIdle(id, before)) {
                    deleted++;
                }
            }
            if (deleted > 0) {
                LOG.log(Level.INFO, "Retention: deleted {0} conversation(s) idle for longer than {1}", new Object[] {deleted, keep});
            }
        } catch (StoreException | ContextNotActiveException e) {
            LOG.log(Level.WARNING, "Retention sweep failed: {0}; it runs again later", e.getMessage());
        }
    }

    private boolean unloadIfIdle(String id) {
        try {
            return !scope.exists(id) || scope.call(id, () -> conversation.unloadIfIdle());
        } catch (ContextNotActiveException e) {
            return true;
        }
    }

    private boolean inside(String id, Runnable task) {
        if (!scope.exists(id)) {
            return false;
        }
        try {
            scope.run(id, task);
            return true;
        } catch (ContextNotActiveException e) {
            return false;
        }
    }
}
