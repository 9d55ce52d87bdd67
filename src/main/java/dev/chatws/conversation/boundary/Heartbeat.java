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
 * client sent no frame for {@code chat.idle-timeout} (default 30 min). 0 turns either off.
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

    @Resource
    ManagedScheduledExecutorService scheduler;

    private final Set<SessionWriter> writers = ConcurrentHashMap.newKeySet();
    private ScheduledFuture<?> beat;
    private long idleNanos;

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
    }

    @PreDestroy
    void stop() {
        if (beat != null) {
            beat.cancel(false);
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

    private void beatWithoutPing() {
        writers.forEach(writer -> writer.beat(idleNanos, false));
    }
}
