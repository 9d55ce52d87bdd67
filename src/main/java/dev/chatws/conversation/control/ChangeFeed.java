package dev.chatws.conversation.control;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Tells the other servers on one PostgreSQL store which conversations this server changed, and
 * this server which ones they changed, with PostgreSQL's {@code LISTEN}/{@code NOTIFY} on channel
 * {@code chat_changes}: a server that holds a conversation in memory then catches up at once (a
 * turn committed elsewhere reaches its sockets and its next turn's history; an erasure elsewhere
 * closes them with 4404; a title or settings update reaches them), instead of when it next serves
 * a socket with nobody attached.
 *
 * The same channel carries the turn ledger's signals ({@link TurnSignal}: a turn started, is
 * watched, has new frames, is to be cancelled), observed by {@link Conversations}.
 *
 * <p>Payloads carry ids only ({@link FeedPayloads}): {@code "c <server> <id> <id> …"}, at most
 * 7,900 bytes each (NOTIFY's limit is 8,000). A NOTIFY takes a database-wide lock as its transaction commits, so changes are
 * not notified inside the commits that make them: they are queued and sent in batches, one
 * transaction per batch, as soon as the previous batch is out. Listening uses one dedicated
 * connection (not from the pool), reconnected after a database restart (then every conversation
 * in memory catches up, as notifications may have been missed). Behind a pooler in transaction
 * mode (PgBouncer) notifications never arrive: the listener checks that its own NOTIFY comes back
 * and, if it does not within 5 s, says so in the log and stops, so nothing waits on it.
 *
 * <p>Only with PostgreSQL ({@code chat.db.url} {@code jdbc:postgresql:…}); with H2 it does
 * nothing. Application-scoped and thread-safe: {@link #changed} queues and returns.
 */
@ApplicationScoped
public class ChangeFeed {

    /** Which conversation another server changed; observed by {@link Conversations}. */
    public record ChangedElsewhere(String id) {
    }

    /**
     * What a server tells the others of a turn in flight ({@link TurnLeases}): {@code kind} (one of
     * the constants), the server it comes {@code from}, the conversation and turn, the server it is
     * {@code to} ("-": every one) and one more word ("-": none). Observed by {@link Conversations}.
     */
    public record TurnSignal(String kind, String from, String conversation, String turn, String to, String extra) {
        /** A turn started ({@code extra}: its kind). */
        public static final String STARTED = "t";
        /** A server watches the turn ({@code extra}: until when, epoch ms). */
        public static final String WATCH = "w";
        /** The turn's server wrote frames of it. */
        public static final String FRAMES = "f";
        /** A server asks the turn's server to cancel it. */
        public static final String CANCEL = "x";

        /** As a notification payload. */
        String payload() {
            return String.join(" ", kind, from, conversation, turn, to, extra);
        }
    }

    static final String CHANNEL = "chat_changes";
    private static final Logger LOG = Logger.getLogger(ChangeFeed.class.getName());
    static final int MAX_PAYLOAD = 7_900;
    private static final long FIRST_RETRY = 500;

    @Inject
    @ConfigProperty(name = "chat.db.url", defaultValue = ConversationStore.DEFAULT_URL)
    String url;

    @Inject
    @ConfigProperty(name = "chat.db.user")
    Optional<String> user;

    @Inject
    @ConfigProperty(name = "chat.db.password")
    Optional<String> password;

    @Inject
    ConversationStore store;

    @Inject
    Event<ChangedElsewhere> elsewhere;

    @Inject
    Event<TurnSignal> turnSignals;

    @Resource
    ManagedExecutorService executor;

    @Resource
    ManagedThreadFactory threads;

    private final String server = "srv_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(6));
    private final Queue<String> pending = new ConcurrentLinkedQueue<>();
    private final Queue<String> signals = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean flushing = new AtomicBoolean();
    private volatile boolean stopped;
    private volatile Connection listening;
    private Thread listener;

    /** Whether the store is PostgreSQL, so that servers can tell each other of changes. */
    boolean enabled() {
        return url.startsWith("jdbc:postgresql:");
    }

    void start(@Observes @Initialized(ApplicationScoped.class) Object started) {
        if (enabled()) {
            listener = threads.newThread(this::listen);
            listener.setName("chat-ws change feed");
            listener.setDaemon(true);
            listener.start();
        }
    }

    @PreDestroy
    void stop() {
        stopped = true;
        FeedPayloads.closeQuietly(listening);
        if (listener != null) {
            listener.interrupt();
        }
    }

    /** This server's name among those on the store (random per start). */
    public String server() {
        return server;
    }

    /** Conversation {@code id} was changed in the store by this server: the others are told, soon, in a batch. */
    public void changed(String id) {
        if (enabled() && !stopped) {
            pending.add(id);
            flushSoon();
        }
    }

    /** Tells the others {@code signal} soon, in a batch. */
    public void signal(TurnSignal signal) {
        if (enabled() && !stopped) {
            signals.add(signal.payload());
            flushSoon();
        }
    }

    private void flushSoon() {
        if (flushing.compareAndSet(false, true)) {
            try {
                executor.execute(this::flush);
            } catch (RuntimeException e) {
                flushing.set(false);
            }
        }
    }

    /** Sends what is queued, in payloads of at most {@link #MAX_PAYLOAD} bytes, one transaction for all. */
    private void flush() {
        try {
            while (!pending.isEmpty() || !signals.isEmpty()) {
                List<String> ids = new ArrayList<>();
                for (String id; (id = pending.poll()) != null;) {
                    ids.add(id);
                }
                List<String> payloads = ids.isEmpty() ? new ArrayList<>() : FeedPayloads.payloads(server, ids);
                for (String signal; (signal = signals.poll()) != null;) {
                    payloads.add(signal);
                }
                store.inTransaction(em -> {
                    for (String text : payloads) {
                        em.createNativeQuery("select pg_notify(?, ?)").setParameter(1, CHANNEL).setParameter(2, text).getSingleResult();
                    }
                    return null;
                });
            }
        } catch (StoreException e) {
            LOG.log(Level.WARNING, "Could not tell the other servers of changes: {0}", e.getMessage());
        } finally {
            flushing.set(false);
            if ((!pending.isEmpty() || !signals.isEmpty()) && !stopped) {
                flushSoon();
            }
        }
    }

    private void listen() {
        long backoff = FIRST_RETRY;
        while (!stopped) {
            try (Connection connection = FeedPayloads.connect(url, user, password)) {
                listening = connection;
                try (Statement sql = connection.createStatement()) {
                    sql.execute("LISTEN " + CHANNEL);
                }
                if (!hearsItself(connection)) {
                    LOG.warning("chat-ws: LISTEN/NOTIFY does not reach this server (is the database behind PgBouncer in transaction"
                            + " mode?). Changes other servers make reach this one only when it next reads a conversation from the"
                            + " store. Connect to PostgreSQL directly, or through a pool in session mode.");
                    return;
                }
                if (backoff > FIRST_RETRY) {
                    LOG.info("chat-ws: listening for other servers' changes again; every conversation in memory catches up");
                    elsewhere.fire(new ChangedElsewhere(null));
                }
                backoff = FIRST_RETRY;
                PGConnection notifications = connection.unwrap(PGConnection.class);
                while (!stopped) {
                    PGNotification[] received = notifications.getNotifications(10_000);
                    if (received != null) {
                        for (PGNotification notification : received) {
                            take(notification.getParameter());
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (stopped) {
                    return;
                }
                // Said once per outage; the retries are quiet.
                LOG.log(backoff == FIRST_RETRY ? Level.WARNING : Level.FINE, "chat-ws: the change feed lost its database connection ({0});"
                        + " reconnecting, every {1} ms at first, up to every 10 s", new Object[] {e.getClass().getSimpleName(), backoff});
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
                backoff = Math.min(10_000, backoff * 2);
            } finally {
                listening = null;
            }
        }
    }

    /** Sends a NOTIFY on {@code connection} and waits up to 5 s for it to come back. */
    private boolean hearsItself(Connection connection) throws SQLException {
        String probe = "p " + server + " " + System.nanoTime();
        try (var notify = connection.prepareStatement("select pg_notify(?, ?)")) {
            notify.setString(1, CHANNEL);
            notify.setString(2, probe);
            notify.execute();
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        PGConnection notifications = connection.unwrap(PGConnection.class);
        while (System.nanoTime() < deadline && !stopped) {
            PGNotification[] received = notifications.getNotifications(500);
            if (received != null) {
                for (PGNotification notification : received) {
                    if (probe.equals(notification.getParameter())) {
                        return true;
                    }
                    take(notification.getParameter());
                }
            }
        }
        return false;
    }

    /** One payload: another server's changes or turn signal (this server's own, and probes, are ignored). */
    private void take(String payload) {
        Optional<TurnSignal> signal = FeedPayloads.signal(payload, server);
        List<String> ids = signal.isPresent() ? List.of() : FeedPayloads.changes(payload, server);
        try {
            // New frames are taken on this thread (their observer only queues a read); the other signals may block.
            signal.filter(turn -> TurnSignal.FRAMES.equals(turn.kind())).ifPresent(turnSignals::fire);
            signal.filter(turn -> !TurnSignal.FRAMES.equals(turn.kind())).ifPresent(turn -> executor.execute(() -> turnSignals.fire(turn)));
            for (String id : ids) {
                executor.execute(() -> elsewhere.fire(new ChangedElsewhere(id)));
            }
        } catch (RuntimeException e) {
            LOG.fine("The application is stopping; a change elsewhere is not followed");
        }
    }
}
