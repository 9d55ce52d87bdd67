package dev.chatws.testing;

import java.time.Duration;
import java.util.function.Predicate;

/**
 * The one way the tests wait for something they cannot be told of: poll a condition until it
 * holds or a generous limit passes. The limit is how long to wait before giving up on a broken
 * build, not a claim about speed: checks of speed belong in the benchmarks.
 */
public final class Await {

    private static final Duration EVERY = Duration.ofMillis(20);

    private Await() {
    }

    /** A question that may fail; a failure stops the wait. */
    @FunctionalInterface
    public interface Probe<T> {
        T ask() throws Exception;
    }

    /** Whether {@code condition} held within {@code within}, asked every 20 ms. */
    public static boolean until(Duration within, Probe<Boolean> condition) throws InterruptedException {
        return value(within, EVERY, condition, Boolean::booleanValue);
    }

    /**
     * Asks {@code probe} every {@code every} until {@code done} accepts its answer or
     * {@code within} passed; returns the last answer (accepted or not, for the assertion message).
     */
    public static <T> T value(Duration within, Duration every, Probe<T> probe, Predicate<T> done) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        T answer = ask(probe);
        while (!done.test(answer) && System.nanoTime() < deadline) {
            Thread.sleep(every.toMillis());
            answer = ask(probe);
        }
        return answer;
    }

    private static <T> T ask(Probe<T> probe) throws InterruptedException {
        try {
            return probe.ask();
        } catch (InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("the condition could not be checked: " + e, e);
        }
    }
}
