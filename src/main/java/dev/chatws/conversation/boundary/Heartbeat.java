package dev.chatws.conversation.boundary;

import dev.chatws.config.Durations;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.servlet.ServletContext;
import jakarta.websocket.CloseReason;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Liveness of the open sockets: every {@code chat.ping-interval} (default 30 s) each socket is
 * pinged; one that did not answer the previous ping is closed with 1008, and so is one whose
 * client sent no frame for {@code chat.idle-timeout} (default 30 min). 0 turns either off. Four
 * times per {@code chat.write-timeout} (default 10 s) every socket is checked for a write that
 * has waited longer than that for its client to read; such a client is closed with 1008.
 *
 * <p>Application-scoped and thread-safe, started with the application; the beat runs on the
 * managed scheduler, over the sockets {@link Sockets} holds open.
 */
@ApplicationScoped
public class Heartbeat {

    private static final Logger LOG = Logger.getLogger(Heartbeat.class.getName());
    private static final CloseReason IDLE = new CloseReason(CloseReason.CloseCodes.VIOLATED_POLICY, "idle");
    private static final CloseReason NO_PONG = new CloseReason(CloseReason.CloseCodes.VIOLATED_POLICY, "no pong");

    @Inject
    @ConfigProperty(name = "chat.ping-interval", defaultValue = "30")
    String pingInterval;

    @Inject
    @ConfigProperty(name = "chat.idle-timeout", defaultValue = "PT30M")
    String idleTimeout;

    @Inject
    @ConfigProperty(name = "chat.write-timeout", defaultValue = "PT10S")
    String writeTimeout;

    @Resource
    ManagedScheduledExecutorService scheduler;

    @Inject
    Sockets sockets;

    private ScheduledFuture<?> beat;
    private ScheduledFuture<?> writes;
    private long idleNanos;
    private long writeTimeoutNanos;

    /** Starts with the application (nothing else asks for this bean). */
    void started(@Observes @Initialized(ApplicationScoped.class) ServletContext context) {
        // The observer's bean is created here; its @PostConstruct has scheduled the beats.
    }

    @PostConstruct
    void start() {
        long every = Durations.parse(pingInterval).toNanos();
        long idle = Durations.parse(idleTimeout).toNanos();
        idleNanos = idle > 0 ? idle : Long.MAX_VALUE;
        if (every > 0) {
            beat = scheduler.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.NANOSECONDS);
        } else if (idle > 0) {
            beat = scheduler.scheduleWithFixedDelay(this::beatWithoutPing, idle / 4, idle / 4, TimeUnit.NANOSECONDS);
        }
        writeTimeoutNanos = Durations.parse(writeTimeout).toNanos();
        if (writeTimeoutNanos > 0) {
            long check = Math.max(writeTimeoutNanos / 4, TimeUnit.MILLISECONDS.toNanos(50));
            writes = scheduler.scheduleWithFixedDelay(this::checkWrites, check, check, TimeUnit.NANOSECONDS);
        }
    }

    @PreDestroy
    void stop() {
        if (beat != null) {
            beat.cancel(false);
        }
        if (writes != null) {
            writes.cancel(false);
        }
    }

    private void beat() {
        long now = System.nanoTime();
        sockets.open().forEach(writer -> beat(writer, now, idleNanos, true));
    }

    private void checkWrites() {
        long now = System.nanoTime();
        sockets.open().forEach(writer -> checkWrite(writer, now, writeTimeoutNanos));
    }

    private void beatWithoutPing() {
        long now = System.nanoTime();
        sockets.open().forEach(writer -> beat(writer, now, idleNanos, false));
    }

    /**
     * One beat of one socket at {@code now}: one whose client sent no frame for {@code idleNanos}
     * is closed with 1008 once its frames are out; with {@code ping}, one that did not answer the
     * previous ping is closed with 1008 at once (on its closer, never on this thread), and any
     * other is pinged.
     */
    static void beat(SessionWriter writer, long now, long idleNanos, boolean ping) {
        switch (writer.liveness().beat(now, idleNanos, ping && !writer.broken())) {
            case IDLE -> {
                LOG.log(Level.FINE, "Socket {0} sent nothing for chat.idle-timeout; closing it with 1008", writer.session().getId());
                writer.closeWhenDrained(IDLE);
            }
            case DEAD -> {
                LOG.log(Level.FINE, "Socket {0} did not answer a ping; closing it with 1008", writer.session().getId());
                writer.close(NO_PONG);
            }
            case PING -> writer.ping();
            case NOTHING -> { }
        }
    }

    /** Cuts off (1008) the client of a socket whose blocking write has waited more than {@code timeoutNanos} at {@code now}. */
    static void checkWrite(SessionWriter writer, long now, long timeoutNanos) {
        long since = writer.writingSince();
        if (since != 0 && now - since > timeoutNanos) {
            writer.tooSlow("took no frame for " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
        }
    }
}
