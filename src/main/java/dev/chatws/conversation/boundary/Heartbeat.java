package dev.chatws.conversation.boundary;

import dev.chatws.config.Durations;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Liveness of the open sockets: every {@code chat.ping-interval} (default 30 s) each socket is
 * pinged; one that did not answer the previous ping is closed with 1008, and so is one whose
 * client sent no frame for {@code chat.idle-timeout} (default 30 min). 0 turns either off. Four
 * times per {@code chat.write-timeout} (default 10 s) every socket is checked for a write that
 * has waited longer than that for its client to read; such a client is closed with 1008.
 *
 * <p>Application-scoped and thread-safe; the beat runs on the managed scheduler.
 */
@ApplicationScoped
public class Heartbeat {

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

    private final Set<SessionWriter> writers = ConcurrentHashMap.newKeySet();
    private ScheduledFuture<?> beat;
    private ScheduledFuture<?> writes;
    private long idleNanos;
    private long writeTimeoutNanos;

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

    void watch(SessionWriter writer) {
        writers.add(writer);
    }

    void forget(SessionWriter writer) {
        writers.remove(writer);
    }

    private void beat() {
        writers.forEach(writer -> writer.beat(idleNanos, true));
    }

    private void checkWrites() {
        long now = System.nanoTime();
        writers.forEach(writer -> writer.checkWrite(now, writeTimeoutNanos));
    }

    private void beatWithoutPing() {
        writers.forEach(writer -> writer.beat(idleNanos, false));
    }
}
