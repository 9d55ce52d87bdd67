package dev.chatws.upstream.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private static final Duration PLENTY = Duration.ofMinutes(5);
    private final RetryPolicy policy = new RetryPolicy(2, Duration.ofMillis(500), Duration.ofSeconds(8));

    @Test
    void retriesTimeoutsConflictsRateLimitsAndServerErrorsOnly() {
        for (int status : new int[] {408, 409, 429, 500, 502, 503, 504, 599}) {
            assertTrue(RetryPolicy.retryable(status), String.valueOf(status));
        }
        for (int status : new int[] {400, 401, 403, 404, 422, 200, 600}) {
            assertFalse(RetryPolicy.retryable(status), String.valueOf(status));
        }
    }

    @Test
    void honoursRetryAfterInSecondsAndAsAnHttpDate() {
        assertEquals(Optional.of(Duration.ofSeconds(3)), policy.delay(0, "3", false, PLENTY, NOW));
        assertEquals(Optional.of(Duration.ofMillis(1500)), policy.delay(0, "1.5", false, PLENTY, NOW));
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(7).atOffset(ZoneOffset.UTC));
        assertEquals(Optional.of(Duration.ofSeconds(7)), policy.delay(1, date, false, PLENTY, NOW));
        String past = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.minusSeconds(7).atOffset(ZoneOffset.UTC));
        assertEquals(Optional.of(Duration.ZERO), policy.delay(0, past, false, PLENTY, NOW));
    }

    @Test
    void backsOffExponentiallyWithJitterUpToTheCap() {
        for (int i = 0; i < 100; i++) {
            long first = policy.delay(0, null, false, PLENTY, NOW).orElseThrow().toMillis();
            long second = policy.delay(1, "garbage", false, PLENTY, NOW).orElseThrow().toMillis();
            assertTrue(first >= 250 && first <= 500, "first " + first);
            assertTrue(second >= 500 && second <= 1000, "second " + second);
            long capped = new RetryPolicy(20, Duration.ofMillis(500), Duration.ofSeconds(8)).backoff(10).toMillis();
            assertTrue(capped >= 4000 && capped <= 8000, "capped " + capped);
        }
    }

    @Test
    void stopsAfterTheRetriesOrWhenTheWaitOutlastsTheDeadline() {
        assertEquals(Optional.empty(), policy.delay(2, "1", false, PLENTY, NOW));
        assertEquals(Optional.empty(), policy.delay(0, "30", false, Duration.ofSeconds(10), NOW));
    }

    @Test
    void aConnectionThatFailedAtOnceIsRetriedAtOnce() {
        assertEquals(Optional.of(Duration.ZERO), policy.delay(0, null, true, PLENTY, NOW));
        assertTrue(policy.delay(1, null, true, PLENTY, NOW).orElseThrow().toMillis() >= 500);
    }
}
