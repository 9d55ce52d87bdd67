package dev.chatws.limits.control;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * What each client (a user, or a client address when anonymous) may still do: open connections
 * up to a bound; start turns at a rate (a token bucket of {@code turnsPerMinute}, refilled
 * continuously); spend upstream tokens up to a daily bound (UTC days). A bound of 0 is no bound.
 * With several servers, what the others used ({@link #elsewhere}) counts too: each turn started
 * elsewhere is taken out of the client's bucket here, once, when this server hears of it (so the
 * bucket refills at the one rate for all servers, and a minute's end forgets nothing), and their
 * tokens of today are added; what this server used since it last said so is {@link #drain}ed for
 * them.
 *
 * <p>Thread-safe: every method is synchronized; each is a few map operations.
 */
public final class ClientBudget {

    private static final long MINUTE_NANOS = Duration.ofMinutes(1).toNanos();

    private final int connections;
    private final int turnsPerMinute;
    private final long tokensPerDay;
    private final Supplier<Instant> clock;
    private final Map<String, Integer> open = new HashMap<>();
    private final Map<String, Bucket> buckets = new HashMap<>();
    private final Map<String, Long> spent = new HashMap<>();
    private LocalDate day;
    /** What the other servers used, by client, as last heard in {@link #othersMinute} ({@link #elsewhere}). */
    private final Map<String, long[]> others = new HashMap<>();
    /** What this server used since the last {@link #drain}, by client: turns, tokens. */
    private final Map<String, long[]> unsaid = new HashMap<>();
    private long othersMinute;

    public ClientBudget(int connections, int turnsPerMinute, long tokensPerDay, Supplier<Instant> clock) {
        this.connections = connections;
        this.turnsPerMinute = turnsPerMinute;
        this.tokensPerDay = tokensPerDay;
        this.clock = clock;
    }

    /** Counts a connection of {@code client}; false (and nothing counted) if it has as many as allowed. */
    public synchronized boolean connect(String client) {
        int now = open.getOrDefault(client, 0);
        if (connections > 0 && now >= connections) {
            return false;
        }
        open.put(client, now + 1);
        return true;
    }

    /** A connection of {@code client} that {@link #connect} counted has closed. */
    public synchronized void disconnect(String client) {
        open.computeIfPresent(client, (key, count) -> count <= 1 ? null : count - 1);
    }

    /**
     * Takes one turn from {@code client}'s budget. Empty if it may start; otherwise how long until
     * it may (seconds, at least 1), and nothing is taken.
     */
    public synchronized OptionalLong startTurn(String client) {
        Instant now = clock.get();
        long[] elsewhere = others.get(client);
        if (tokensPerDay > 0 && spentToday(client, now) + (elsewhere == null ? 0 : elsewhere[1]) >= tokensPerDay) {
            Instant tomorrow = today(now).plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC);
            return OptionalLong.of(Math.max(1, Duration.between(now, tomorrow).toSeconds()));
        }
        if (turnsPerMinute <= 0) {
            return OptionalLong.empty();
        }
        Bucket bucket = buckets.computeIfAbsent(client, key -> new Bucket(turnsPerMinute, now));
        bucket.refill(now, turnsPerMinute);
        if (bucket.tokens >= 1) {
            bucket.tokens -= 1;
            unsaid.computeIfAbsent(client, key -> new long[2])[0]++;
            return OptionalLong.empty();
        }
        double missing = 1 - bucket.tokens;
        long waitNanos = (long) Math.ceil(missing * MINUTE_NANOS / turnsPerMinute);
        return OptionalLong.of(Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L));
    }

    /** Counts {@code tokens} the upstream reported for a turn of {@code client} against today's bound. */
    public synchronized void spend(String client, long tokens) {
        if (tokensPerDay > 0 && tokens > 0) {
            today(clock.get());
            spent.merge(client, tokens, Long::sum);
            unsaid.computeIfAbsent(client, key -> new long[2])[1] += tokens;
        }
    }

    /**
     * What this server used since the last call, by client: {@code {turns, tokens}}, now
     * forgotten; for the other servers to hear ({@code SharedLimits}).
     */
    public synchronized Map<String, long[]> drain() {
        Map<String, long[]> used = new HashMap<>(unsaid);
        unsaid.clear();
        return used;
    }

    /** Takes back {@code used} that could not be told (the store failed), to be told with the next {@link #drain}. */
    public synchronized void undrain(Map<String, long[]> used) {
        used.forEach((client, counts) -> {
            long[] unsaidNow = unsaid.computeIfAbsent(client, key -> new long[2]);
            unsaidNow[0] += counts[0];
            unsaidNow[1] += counts[1];
        });
    }

    /** The clients this server holds counts of, whose use elsewhere matters here. */
    public synchronized java.util.Set<String> clients() {
        java.util.Set<String> known = new java.util.HashSet<>(buckets.keySet());
        known.addAll(spent.keySet());
        known.addAll(open.keySet());
        return known;
    }

    /**
     * What the other servers used, by client: {@code {turns in minute, tokens today, turns in the
     * minute before}}, heard in minute {@code minute} (epoch minutes). The turns not heard of before
     * are taken out of the client's bucket: since the last hearing if it was this minute or the
     * one before, else (the first hearing, or one after a gap) those of the last 60 s, the minute
     * before's counted for the part of it still within them.
     */
    public synchronized void elsewhere(long minute, Map<String, long[]> used) {
        Instant now = clock.get();
        double stillWithin = 1 - (now.getEpochSecond() % 60 + now.getNano() / 1e9) / 60;
        used.forEach((client, counts) -> {
            long turns = counts[0];
            long before = counts.length > 2 ? counts[2] : 0;
            long[] last = others.get(client);
            double unheard;
            if (last != null && othersMinute == minute) {
                unheard = Math.max(0, turns - last[0]);
            } else if (last != null && othersMinute == minute - 1) {
                unheard = Math.max(0, before - last[0]) + turns;
            } else {
                unheard = turns + before * Math.min(1, Math.max(0, stillWithin));
            }
            if (unheard > 0 && turnsPerMinute > 0) {
                Bucket bucket = buckets.computeIfAbsent(client, key -> new Bucket(turnsPerMinute, now));
                bucket.refill(now, turnsPerMinute);
                bucket.tokens = Math.max(-turnsPerMinute, bucket.tokens - unheard);
            }
        });
        others.clear();
        others.putAll(used);
        othersMinute = minute;
    }

    /** How many clients' turn buckets are held (for tests of {@link #forgetIdle()}). */
    synchronized int bucketsHeld() {
        return buckets.size();
    }

    /** Forgets the buckets that are full again and the connection-less: they hold nothing a client could miss. */
    public synchronized void forgetIdle() {
        Instant now = clock.get();
        for (Iterator<Map.Entry<String, Bucket>> it = buckets.entrySet().iterator(); it.hasNext();) {
            Bucket bucket = it.next().getValue();
            bucket.refill(now, turnsPerMinute);
            if (bucket.tokens >= turnsPerMinute) {
                it.remove();
            }
        }
        today(now);
    }

    private long spentToday(String client, Instant now) {
        today(now);
        return spent.getOrDefault(client, 0L);
    }

    /** Today (UTC); a new day clears yesterday's spending. */
    private LocalDate today(Instant now) {
        LocalDate date = LocalDate.ofInstant(now, ZoneOffset.UTC);
        if (!date.equals(day)) {
            day = date;
            spent.clear();
        }
        return date;
    }

    private static final class Bucket {
        private double tokens;
        private Instant refilled;

        Bucket(int capacity, Instant now) {
            this.tokens = capacity;
            this.refilled = now;
        }

        void refill(Instant now, int perMinute) {
            long elapsed = Duration.between(refilled, now).toNanos();
            if (elapsed > 0) {
                tokens = Math.min(perMinute, tokens + (double) elapsed * perMinute / MINUTE_NANOS);
                refilled = now;
            }
        }
    }
}
