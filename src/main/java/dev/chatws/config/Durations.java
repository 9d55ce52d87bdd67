package dev.chatws.config;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * Reads the durations of the configuration: ISO-8601 ({@code PT30S}) or plain seconds
 * ({@code 30}, {@code 0.5}). Stateless.
 */
public final class Durations {

    private Durations() {
    }

    /** The duration {@code text} names; {@link java.time.format.DateTimeParseException} or {@link NumberFormatException} if none. */
    public static Duration parse(String text) {
        String value = text.strip();
        if (value.startsWith("P") || value.startsWith("p")) {
            return Duration.parse(value);
        }
        return Duration.ofNanos(new BigDecimal(value).movePointRight(9).longValueExact());
    }
}
