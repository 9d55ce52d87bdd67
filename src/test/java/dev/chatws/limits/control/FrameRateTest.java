package dev.chatws.limits.control;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FrameRateTest {

    private final AtomicLong now = new AtomicLong();

    @Test
    void aBurstThenTheRate() {
        FrameRate rate = new FrameRate(20, 40, now::get);
        for (int i = 0; i < 40; i++) {
            assertTrue(rate.admit(), "frame " + i + " of the burst");
        }
        assertFalse(rate.admit(), "the 41st frame at once is over");
        now.addAndGet(50_000_000L);
        assertTrue(rate.admit(), "50 ms later: one more at 20/s");
        assertFalse(rate.admit());
        now.addAndGet(10_000_000_000L);
        for (int i = 0; i < 40; i++) {
            assertTrue(rate.admit(), "refilled up to the burst, no further");
        }
        assertFalse(rate.admit());
    }

    @Test
    void zeroAdmitsEverything() {
        FrameRate rate = new FrameRate(0, 40, now::get);
        for (int i = 0; i < 10_000; i++) {
            assertTrue(rate.admit());
        }
    }
}
