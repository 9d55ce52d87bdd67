package dev.chatws.upstream.control;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Ends upstream calls that went quiet: no first chunk within {@code firstChunk}, no event (SSE
 * comments such as {@code : keep-alive} do not count) for longer than {@code idle} once one came,
 * or a turn longer than {@code turn}. One thread sweeps the calls in flight a few times per shortest
 * timeout, so the per-chunk cost is one timestamp. It only finds overdue calls: each is reported on
 * a thread of {@code notifier}, as reporting takes its conversation's lock, which the sweep must
 * never wait for (one busy conversation would delay every other's timeout).
 *
 * <p>Thread-safe.
 */
final class Watchdog {

    private final Set<UpstreamCall> calls = ConcurrentHashMap.newKeySet();
    private final long firstChunkNanos;
    private final long idleNanos;
    private final long turnNanos;
    private final Executor notifier;

    Watchdog(Duration firstChunk, Duration idle, Duration turn, ScheduledExecutorService scheduler, Executor notifier) {
        this.notifier = notifier;
        this.firstChunkNanos = firstChunk.toNanos();
        this.idleNanos = idle.toNanos();
        this.turnNanos = turn.toNanos();
        long period = Math.max(10, Math.min(500, Math.min(firstChunk.toMillis(), idle.toMillis()) / 20));
        scheduler.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    /** How long a call may wait for its first answer: the first chunk, or the whole answer when not streaming. */
    long firstAnswerNanos(boolean streaming) {
        return streaming ? Math.min(firstChunkNanos, turnNanos) : turnNanos;
    }

    void watch(UpstreamCall call) {
        calls.add(call);
    }

    void forget(UpstreamCall call) {
        calls.remove(call);
    }

    /** Checks every call against the clock once; called by the scheduler, and by tests. */
    void sweep() {
        long now = System.nanoTime();
        for (UpstreamCall call : calls) {
            String reason = overdue(call, now);
            if (reason != null) {
                calls.remove(call);
                try {
                    notifier.execute(() -> call.timeOut(reason));
                } catch (RejectedExecutionException e) {
                    // The application is stopping: its turns end with it.
                }
            }
        }
    }

    private String overdue(UpstreamCall call, long now) {
        if (now - call.startedNanos() > turnNanos) {
            return "The turn took longer than chat.upstream.turn-timeout.";
        }
        if (!call.streaming()) {
            return null;
        }
        long last = call.lastEventNanos();
        if (last == 0) {
            return now - call.startedNanos() > firstChunkNanos
                    ? "The upstream API sent no first chunk within chat.upstream.first-chunk-timeout." : null;
        }
        return now - last > idleNanos
                ? "The upstream API sent no chunk for longer than chat.upstream.idle-timeout." : null;
    }
}
