package dev.chatws.limits.control;

import java.util.function.LongSupplier;

/**
 * How fast one socket may send frames: a token bucket of {@code burst} frames that refills at
 * {@code perSecond} frames a second ({@code chat.limits.frames-per-second},
 * {@code chat.limits.frame-burst}). A chat client sends a few frames per turn; a client over the
 * rate is closed with 1008 (PROTOCOL §6), so that one socket cannot keep a server busy answering
 * garbage. A rate of 0 admits everything.
 *
 * <p>One per socket; not thread-safe (a socket's frames arrive one at a time).
 */
public final class FrameRate {

    private static final long SECOND_NANOS = 1_000_000_000L;

    private final double perSecond;
    private final double burst;
    private final LongSupplier clock;
    private double tokens;
    private long last;

    public FrameRate(double perSecond, double burst, LongSupplier clock) {
        this.perSecond = perSecond;
        this.burst = Math.max(1, burst);
        this.clock = clock;
        this.tokens = this.burst;
        this.last = clock.getAsLong();
    }

    /** Takes one frame from the bucket; false if the socket is over its rate. */
    public boolean admit() {
        if (perSecond <= 0) {
            return true;
        }
        long now = clock.getAsLong();
        tokens = Math.min(burst, tokens + (now - last) * perSecond / SECOND_NANOS);
        last = now;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
