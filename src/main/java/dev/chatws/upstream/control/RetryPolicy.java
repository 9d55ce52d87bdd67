package dev.chatws.upstream.control;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When to try an upstream request again, and after how long. Only before the first chunk: a
 * request is retried on 408, 409, 429 and 5xx answers and on connection failures, at most
 * {@code retries} times, after the upstream's {@code Retry-After} (seconds or an HTTP date) or
 * else an exponential back-off with jitter; never on other 4xx answers. A wait that would end past
 * the turn's deadline is not taken. A connection that failed on the first attempt is retried at
 * once (a pooled keep-alive connection the upstream had closed).
 *
 * <p>Immutable and thread-safe.
 */
public record RetryPolicy(int retries, Duration baseDelay, Duration maxDelay) {

    private static final Set<Integer> RETRYABLE = Set.of(408, 409, 429);

    /** Whether an answer with {@code status} may be retried. */
    public static boolean retryable(int status) {
        return RETRYABLE.contains(status) || status >= 500 && status <= 599;
    }

    /**
     * How long to wait before retry number {@code attempt + 1} (attempt 0 failed first), or empty
     * if no retry is due: out of retries, or the wait would end after {@code remaining}.
     *
     * @param retryAfter the upstream's {@code Retry-After} header, or null
     * @param connectionFailure whether no answer came at all
     */
    public Optional<Duration> delay(int attempt, String retryAfter, boolean connectionFailure, Duration remaining, Instant now) {
        if (attempt >= retries) {
            return Optional.empty();
        }
        Duration wait = parseRetryAfter(retryAfter, now)
                .orElseGet(() -> connectionFailure && attempt == 0 ? Duration.ZERO : backoff(attempt));
        return wait.compareTo(remaining) < 0 ? Optional.of(wait) : Optional.empty();
    }

    /** {@code baseDelay × 2^attempt}, at most {@code maxDelay}, with "equal jitter" (between half and all of it). */
    Duration backoff(int attempt) {
        long full = Math.min(maxDelay.toMillis(), baseDelay.toMillis() << Math.min(attempt, 20));
        long half = full / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(half + 1));
    }

    /** A {@code Retry-After} value as a wait from {@code now}: delay-seconds or an HTTP date. */
    static Optional<Duration> parseRetryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String text = value.strip();
        try {
            double seconds = Double.parseDouble(text);
            return seconds >= 0 ? Optional.of(Duration.ofMillis((long) (seconds * 1000))) : Optional.empty();
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration wait = Duration.between(now, at);
                return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
            } catch (DateTimeParseException notDate) {
                return Optional.empty();
            }
        }
    }
}
