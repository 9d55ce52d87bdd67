package dev.chatws.upstream.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The watchdog finds overdue calls; reporting one (which takes a conversation's lock) never holds up the others. */
class WatchdogTest {

    private final ScheduledExecutorService idleScheduler = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService notifier = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        idleScheduler.shutdownNow();
        notifier.shutdownNow();
    }

    @Test
    void aTimeoutWhoseListenerIsBlockedDoesNotDelayAnotherCallsTimeout() throws Exception {
        // A first-chunk timeout of 1 ns: both calls are overdue at the first sweep, which the test runs itself.
        Watchdog watchdog = new Watchdog(Duration.ofNanos(1), Duration.ofHours(1), Duration.ofHours(1), idleScheduler, notifier);
        CountDownLatch blockedEntered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch otherTimedOut = new CountDownLatch(1);
        UpstreamCall blocked = call(new Listener() {
            @Override
            public void timedOut(String message) {
                blockedEntered.countDown();
                await(release);
            }
        }, watchdog);
        UpstreamCall other = call(new Listener() {
            @Override
            public void timedOut(String message) {
                otherTimedOut.countDown();
            }
        }, watchdog);
        watchdog.watch(blocked);
        watchdog.watch(other);
        Thread sweeper = new Thread(watchdog::sweep);
        sweeper.start();
        try {
            assertTrue(otherTimedOut.await(10, TimeUnit.SECONDS), "the other call's timeout is reported while the first listener is blocked");
            assertTrue(blockedEntered.await(10, TimeUnit.SECONDS), "the blocked call's timeout was reported too");
            sweeper.join(TimeUnit.SECONDS.toMillis(10));
            assertEquals(false, sweeper.isAlive(), "the sweep never waits for a listener");
        } finally {
            release.countDown();
        }
    }

    private static UpstreamCall call(UpstreamListener listener, Watchdog watchdog) {
        CallContext shared = new CallContext(null, null, Runnable::run, watchdog,
                new RetryPolicy(0, Duration.ZERO, Duration.ZERO), new LongAdder(), new CircuitBreaker(1000, 1, System::nanoTime));
        return new UpstreamCall(shared, new byte[0], true, listener, () -> { });
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A listener that ignores everything but what a test overrides. */
    private abstract static class Listener implements UpstreamListener {
        @Override
        public void event(String data) {
        }

        @Override
        public void completed(boolean done) {
        }

        @Override
        public void body(String json) {
        }

        @Override
        public void failed(Integer status, String message) {
        }

        @Override
        public void timedOut(String message) {
        }
    }
}
