package dev.chatws.upstream.control;

import java.util.function.LongSupplier;

/**
 * Stops calling an upstream that keeps failing. After {@code failureThreshold} failures in a row
 * (error statuses 408, 409, 429 and 5xx after their retries, broken connections, no first chunk in
 * time) it opens: calls are refused at once for {@code openNanos}. Then it half-opens: one trial
 * call goes through; its success closes the breaker, its failure opens it again. A call that ends
 * without an outcome (cancelled) frees the trial for the next one. Answers such as 400 or 404 say
 * the upstream is up, and count as successes.
 *
 * <p>Hand-written rather than MicroProfile Fault Tolerance's {@code @CircuitBreaker}: the feature
 * costs about 0.3 s of start-up and 20–30 MB of resident memory here (measured), which the start-up
 * targets cannot spare, and the outcome of a streamed call is known only after the method that
 * opens it has returned. Thread-safe.
 */
public final class CircuitBreaker {

    /** Where the breaker stands. */
    public enum State { CLOSED, OPEN, HALF_OPEN }

    private final int failureThreshold;
    private final long openNanos;
    private final LongSupplier clock;
    private State state = State.CLOSED;
    private int failures;
    private long openedAt;
    private boolean trialInFlight;

    CircuitBreaker(int failureThreshold, long openNanos, LongSupplier clock) {
        this.failureThreshold = failureThreshold;
        this.openNanos = openNanos;
        this.clock = clock;
    }

    /** Whether a call may go to the upstream now; a true from a half-open breaker makes it the trial. */
    synchronized boolean allow() {
        switch (state) {
            case CLOSED:
                return true;
            case OPEN:
                if (clock.getAsLong() - openedAt < openNanos) {
                    return false;
                }
                state = State.HALF_OPEN;
                trialInFlight = true;
                return true;
            default:
                if (trialInFlight) {
                    return false;
                }
                trialInFlight = true;
                return true;
        }
    }

    synchronized void success() {
        state = State.CLOSED;
        failures = 0;
        trialInFlight = false;
    }

    synchronized void failure() {
        if (state == State.HALF_OPEN || ++failures >= failureThreshold) {
            state = State.OPEN;
            openedAt = clock.getAsLong();
            trialInFlight = false;
        }
    }

    /** A call ended with no outcome (it was cancelled): a half-open breaker lets the next call try. */
    synchronized void abandoned() {
        trialInFlight = false;
    }

    synchronized State state() {
        return state;
    }
}
