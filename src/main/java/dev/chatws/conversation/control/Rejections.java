package dev.chatws.conversation.control;

import dev.chatws.conversation.entity.ErrorFrame;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * What one socket's rejected frames write to the log: the first frame of each kind (error code)
 * is logged, later ones are only counted, and the counts are logged at most once a minute (and
 * when the socket closes). A client sending garbage as fast as it can thus writes a few lines, not
 * one per frame.
 *
 * <p>One per socket; thread-safe.
 */
public final class Rejections {

    private static final long MINUTE_NANOS = 60_000_000_000L;

    private final LongSupplier clock;
    private final Map<String, Integer> counted = new TreeMap<>();
    private final java.util.Set<String> logged = new java.util.HashSet<>(4);
    private long countingSince;

    public Rejections(LongSupplier clock) {
        this.clock = clock;
        this.countingSince = clock.getAsLong();
    }

    /**
     * Notes a rejected frame of {@code kind}; returns the line to log now: the frame itself if its
     * kind is new on this socket, the counts if a minute has passed since they were last logged.
     */
    public synchronized Optional<String> note(String kind, String detail) {
        if (logged.add(kind)) {
            return Optional.of("rejected a frame: " + detail + " (more of this kind on this socket are counted, not logged one by one)");
        }
        counted.merge(kind, 1, Integer::sum);
        return clock.getAsLong() - countingSince >= MINUTE_NANOS ? counts() : Optional.empty();
    }

    /**
     * Answers a frame of {@code from}, in conversation {@code conversationId}, with {@code error};
     * the log gets what {@link #note} says for the socket.
     */
    static void reply(Logger log, String conversationId, Peer from, ErrorFrame error) {
        String detail = error.error().code() + (error.error().param() == null ? "" : " at " + error.error().param());
        from.rejections().note(error.error().code(), detail)
                .ifPresent(line -> log.log(Level.INFO, "{0}: {1}", new Object[] {ChatScope.redact(conversationId), line}));
        from.send(error);
    }

    /** The counts not logged yet, to log when the socket closes; empty if none. */
    public synchronized Optional<String> remaining() {
        return counted.isEmpty() ? Optional.empty() : counts();
    }

    private Optional<String> counts() {
        String line = "rejected " + counted.values().stream().mapToInt(Integer::intValue).sum() + " more frame(s) since the last count ("
                + counted.entrySet().stream().map(entry -> entry.getKey() + ": " + entry.getValue()).collect(Collectors.joining(", ")) + ")";
        counted.clear();
        countingSince = clock.getAsLong();
        return Optional.of(line);
    }
}
