package dev.chatws.upstream.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

    private final AtomicLong now = new AtomicLong();
    private final CircuitBreaker breaker = new CircuitBreaker(3, 1000, now::get);

    @Test
    void opensAfterTheThresholdOfFailuresInARowAndRefusesUntilTheDelayPassed() {
        breaker.failure();
        breaker.failure();
        breaker.success();
        breaker.failure();
        breaker.failure();
        assertEquals(CircuitBreaker.State.CLOSED, breaker.state(), "a success in between starts the count again");
        breaker.failure();
        assertEquals(CircuitBreaker.State.OPEN, breaker.state());
        assertFalse(breaker.allow());
        now.set(999);
        assertFalse(breaker.allow());
    }

    @Test
    void halfOpensForOneTrialWhoseOutcomeDecides() {
        openIt();
        now.set(1000);
        assertTrue(breaker.allow(), "the trial");
        assertEquals(CircuitBreaker.State.HALF_OPEN, breaker.state());
        assertFalse(breaker.allow(), "only one trial at a time");
        breaker.failure();
        assertEquals(CircuitBreaker.State.OPEN, breaker.state(), "a failed trial opens it again");
        now.set(2000);
        assertTrue(breaker.allow());
        breaker.success();
        assertEquals(CircuitBreaker.State.CLOSED, breaker.state());
        assertTrue(breaker.allow());
        assertTrue(breaker.allow());
    }

    @Test
    void aCancelledTrialLetsTheNextCallTry() {
        openIt();
        now.set(1000);
        assertTrue(breaker.allow());
        breaker.abandoned();
        assertTrue(breaker.allow());
    }

    private void openIt() {
        for (int i = 0; i < 3; i++) {
            breaker.failure();
        }
    }
}
