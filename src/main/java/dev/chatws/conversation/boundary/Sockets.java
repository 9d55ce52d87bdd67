package dev.chatws.conversation.boundary;

import dev.chatws.conversation.control.Conversations;
import dev.chatws.limits.control.ClientLimits;
import dev.chatws.limits.control.FrameRate;
import dev.chatws.conversation.control.ChatScope;
import dev.chatws.telemetry.control.ChatTelemetry;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.CloseReason.CloseCodes;
import jakarta.websocket.Session;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The open sockets' lifecycle around the conversation: admitting a new socket (4401 for a refused
 * token, 4429 over the client's connection limit, 1001 once the server stops), its writer, liveness and counts, and letting
 * it go again; and, when the application stops, closing them all. Closes run on threads of the
 * application's own. What the {@link HandshakeFilter} found comes as request parameters.
 *
 * <p>Application-scoped and thread-safe.
 */
@ApplicationScoped
public class Sockets {

    private static final CloseReason NOT_AUTHENTICATED = new CloseReason(CloseCodes.getCloseCode(4401), "not authenticated");
    private static final CloseReason TOO_MANY = new CloseReason(CloseCodes.getCloseCode(4429), "too many connections");
    private static final CloseReason TOO_SLOW = new CloseReason(CloseCodes.VIOLATED_POLICY, "client too slow to read");
    private static final CloseReason GOING_AWAY = new CloseReason(CloseCodes.GOING_AWAY, "server shutting down");
    private static final CloseReason TOO_FAST = new CloseReason(CloseCodes.VIOLATED_POLICY, "frames faster than allowed");
    private static final Logger LOG = Logger.getLogger(Sockets.class.getName());

    @Inject
    Conversations conversations;

    @Inject
    @ConfigProperty(name = "chat.max-frame-bytes", defaultValue = "1048576")
    int maxFrameBytes;

    @Resource
    ManagedThreadFactory threadFactory;

    @Inject
    ClientLimits limits;

    @Inject
    ChatTelemetry telemetry;

    @Inject
    @ConfigProperty(name = "chat.max-backlog-bytes", defaultValue = "4194304")
    long maxBacklogBytes;

    @Inject
    @ConfigProperty(name = "chat.limits.frames-per-second", defaultValue = "20")
    double framesPerSecond;

    @Inject
    @ConfigProperty(name = "chat.limits.frame-burst", defaultValue = "40")
    double frameBurst;

    /** The sockets attached to a conversation and not yet closed (the one registry; {@link Heartbeat} beats them); its monitor is told when one closes. */
    private final Set<SessionWriter> open = ConcurrentHashMap.newKeySet();

    /**
     * Where sockets are closed: threads of the application's own, not Liberty's request threads
     * nor the heartbeat's. A close writes the close frame with a blocking write, and on Liberty
     * that write (like a blocking frame write) waits as long as a client that stopped reading
     * keeps its connection open.
     */
    private ExecutorService closer;

    /** Set once the sockets were told to go away: a socket that opens after that is closed with 1001 at once. */
    private volatile boolean goingAway;

    @PostConstruct
    void start() {
        closer = Executors.newCachedThreadPool(threadFactory);
    }

    @PreDestroy
    void stop() {
        closer.shutdownNow();
    }

    /**
     * The writer of a socket that may stay, counted against its client; null if the socket was
     * closed (4401, 4429). {@code tooSlow} is told when the client falls too far behind.
     */
    SessionWriter admit(Session session, Consumer<SessionWriter> tooSlow) throws IOException {
        Map<String, List<String>> parameters = session.getRequestParameterMap();
        // Without the filter's key (a server that does not pass it on), each socket counts alone.
        String client = first(parameters, HandshakeFilter.CLIENT);
        SessionWriter writer = new SessionWriter(session, client == null ? "socket:" + session.getId() : client,
                first(parameters, HandshakeFilter.USER), closer, maxBacklogBytes, tooSlow);
        if (goingAway) {
            writer.close(GOING_AWAY);
            return null;
        }
        if (parameters.containsKey(HandshakeFilter.AUTH)) {
            writer.close(NOT_AUTHENTICATED);
            return null;
        }
        if (!limits.connect(writer.client())) {
            writer.close(TOO_MANY);
            return null;
        }
        return writer;
    }

    /** A new socket's bound on the frames it sends ({@code chat.limits.frames-per-second}, {@code chat.limits.frame-burst}). */
    FrameRate frameRate() {
        return new FrameRate(framesPerSecond, frameBurst, System::nanoTime);
    }

    /** The client of {@code socket} sent frames faster than its rate: its socket is closed with 1008, off the caller's thread. */
    void tooFast(String id, SessionWriter socket) {
        LOG.info(() -> ChatScope.redact(id) + ": a socket sent frames faster than chat.limits.frames-per-second; closing it with 1008");
        socket.close(TOO_FAST);
    }

    /** Largest text frame a client may send ({@code chat.max-frame-bytes}). */
    int maxFrameBytes() {
        return maxFrameBytes;
    }

    /**
     * The client of {@code behind} fell too far behind: off the sending thread, it leaves
     * conversation {@code id} without grace and its socket is closed with 1008.
     */
    void tooSlow(String id, SessionWriter behind) {
        closer.execute(() -> {
            conversations.drop(id, behind);
            behind.close(TOO_SLOW);
        });
    }

    /** The socket joined its conversation: it is counted as open, and beaten by the {@link Heartbeat}. */
    void attached(SessionWriter writer) {
        open.add(writer);
        telemetry.socketOpened();
    }

    /** The sockets open now (a live view: sockets come and go while it is read). */
    Iterable<SessionWriter> open() {
        return java.util.Collections.unmodifiableSet(open);
    }

    /** An admitted socket closed, attached or not. */
    void closed(SessionWriter writer, boolean attached) {
        limits.disconnect(writer.client());
        if (attached) {
            synchronized (open) {
                open.remove(writer);
                open.notifyAll();
            }
            telemetry.socketClosed();
        }
    }

    /**
     * The application stops: ends every conversation (turns in flight end cancelled, every socket
     * is closed with 1001 once its frames are out) and waits up to {@code within} for the sockets
     * to close; a socket that opens later is closed with 1001 as soon as it is admitted. Must run
     * before the WebSocket container's own shutdown, which drops the sockets of a stopping
     * application without a close frame.
     */
    void goAwayAll(Duration within) throws InterruptedException {
        goingAway = true;
        conversations.endAll();
        long deadline = System.nanoTime() + within.toNanos();
        synchronized (open) {
            for (long left = within.toNanos(); !open.isEmpty() && left > 0; left = deadline - System.nanoTime()) {
                TimeUnit.NANOSECONDS.timedWait(open, left);
            }
            if (!open.isEmpty()) {
                LOG.info(() -> open.size() + " socket(s) did not close within " + within.toMillis() + " ms of the application stopping");
            }
        }
    }

    private static String first(Map<String, List<String>> parameters, String name) {
        List<String> values = parameters.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
