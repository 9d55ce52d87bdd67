package dev.chatws.conversation.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The writes of the turn ledger that callers do not wait for, in the order they were queued: the
 * frames of watched turns ({@code chat_turn_frame}) and the ends of turns (their row deleted, and
 * if someone watches them, their last frames and terminal frame written first, decided under the
 * row's lock so that a watch that begins meanwhile misses nothing). Whatever is queued goes in one
 * transaction, with one {@code NOTIFY} per turn that got frames, so a turn watched at 32 streams
 * costs a round trip per batch, not per chunk. A batch that fails (the database restarting) is
 * tried again for about 5 s, then dropped (its turns' leases then expire, and {@link TurnRecovery}
 * ends them).
 *
 * <p>Application-scoped and thread-safe: queuing never blocks; one background thread writes at a time.
 */
@ApplicationScoped
public class LeaseWrites {

    private static final Logger LOG = Logger.getLogger(LeaseWrites.class.getName());
    private static final int MAX_BATCH = 2_000;

    /** A frame of a turn to write, or (with {@code end}) a turn that ended, with the frames to write if it is watched. */
    private record Write(String conversation, String turn, List<TurnLedger.Frame> frames, boolean end, CompletableFuture<Void> done) {
    }

    @Inject
    LeaseSql sql;

    @Inject
    ChangeFeed feed;

    @Inject
    ConversationSettings settings;

    @Inject
    Event<ChangeFeed.TurnSignal> local;

    private final Queue<Write> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean writing = new AtomicBoolean();
    /** By conversation: done when every end of its turns queued so far is written (or given up). */
    private final Map<String, CompletableFuture<Void>> ending = new ConcurrentHashMap<>();

    /** Queues {@code frame} of {@code turn}, which another server watches. */
    void frame(String conversation, String turn, TurnLedger.Frame frame) {
        queue.add(new Write(conversation, turn, List.of(frame), false, null));
        writeSoon();
    }

    /** Queues the end of {@code turn}: its row goes, after {@code unsent} is written if it is watched. */
    void end(String conversation, String turn, List<TurnLedger.Frame> unsent) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        ending.merge(conversation, done, (earlier, later) -> earlier.thenCombine(later, (a, b) -> null));
        queue.add(new Write(conversation, turn, List.copyOf(unsent), true, done));
        writeSoon();
    }

    /**
     * Waits (up to {@code within}) until the ends of {@code conversation}'s turns queued so far are
     * written, so that a new turn's claim does not take the row of one whose end (and terminal
     * frame for its watchers) is still queued. Blocks; never call it under a lock.
     */
    void awaitEnds(String conversation, Duration within) {
        CompletableFuture<Void> pending = ending.get(conversation);
        if (pending != null) {
            try {
                pending.get(within.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                LOG.fine("The end of an earlier turn is not written yet; claiming anyway");
            }
        }
    }

    private void written(List<Write> batch) {
        for (Write write : batch) {
            if (write.end()) {
                write.done().complete(null);
                ending.computeIfPresent(write.conversation(), (id, pending) -> pending.isDone() ? null : pending);
            }
        }
    }

    private void writeSoon() {
        if (writing.compareAndSet(false, true)) {
            try {
                settings.background(this::drain);
            } catch (RejectedExecutionException e) {
                writing.set(false);
            }
        }
    }

    private void drain() {
        try {
            while (!queue.isEmpty()) {
                List<Write> batch = new ArrayList<>();
                for (Write write; batch.size() < MAX_BATCH && (write = queue.poll()) != null;) {
                    batch.add(write);
                }
                write(batch);
            }
        } finally {
            writing.set(false);
            if (!queue.isEmpty()) {
                writeSoon();
            }
        }
    }

    private void write(List<Write> batch) {
        for (int attempt = 1; ; attempt++) {
            try {
                Map<String, String> told = sql.run(connection -> {
                    // Frames are transient (the table is unlogged): this commit need not wait for the WAL to reach the disk.
                    LeaseSql.update(connection, "set local synchronous_commit to off");
                    Map<String, String> framed = new LinkedHashMap<>();
                    long now = System.currentTimeMillis();
                    List<Object> turns = new ArrayList<>();
                    List<Object> seqs = new ArrayList<>();
                    List<Object> bodies = new ArrayList<>();
                    List<Object> lasts = new ArrayList<>();
                    for (Write write : batch) {
                        if (write.end() && !watched(connection, write.turn())) {
                            continue;
                        }
                        for (TurnLedger.Frame frame : write.frames()) {
                            turns.add(write.turn());
                            seqs.add(frame.seq());
                            bodies.add(frame.body());
                            lasts.add(frame.last());
                            framed.put(write.turn(), write.conversation());
                        }
                    }
                    if (!turns.isEmpty()) {
                        // One statement for the whole batch.
                        try (PreparedStatement insert = connection.prepareStatement("insert into chat_turn_frame (turn_id, seq, body, last, written_ms)"
                                + " select t, s, b, l, ? from unnest(?::varchar[], ?::int[], ?::text[], ?::boolean[]) as f(t, s, b, l)"
                                + " on conflict do nothing")) {
                            insert.setLong(1, now);
                            insert.setArray(2, connection.createArrayOf("varchar", turns.toArray()));
                            insert.setArray(3, connection.createArrayOf("int4", seqs.toArray()));
                            insert.setArray(4, connection.createArrayOf("text", bodies.toArray()));
                            insert.setArray(5, connection.createArrayOf("bool", lasts.toArray()));
                            insert.executeUpdate();
                        }
                    }
                    for (Write write : batch) {
                        if (write.end()) {
                            LeaseSql.update(connection, "delete from chat_turn where turn_id = ?", write.turn());
                        }
                    }
                    if (!framed.isEmpty()) {
                        // One statement for every turn's wake-up.
                        Object[] payloads = framed.entrySet().stream().map(turn -> frames(turn.getValue(), turn.getKey()).payload()).toArray();
                        try (PreparedStatement notify = connection.prepareStatement("select count(pg_notify(?, p)) from unnest(?::text[]) p")) {
                            notify.setString(1, ChangeFeed.CHANNEL);
                            notify.setArray(2, connection.createArrayOf("text", payloads));
                            notify.executeQuery().close();
                        }
                    }
                    return framed;
                });
                written(batch);
                // Sockets of this server may watch a turn it ended for a server that died.
                told.forEach((turn, conversation) -> local.fire(frames(conversation, turn)));
                return;
            } catch (StoreException e) {
                if (attempt == 8) {
                    LOG.log(Level.WARNING, "Could not write {0} turn frame(s) and end(s) for other servers: {1}", new Object[] {batch.size(), e.getMessage()});
                    written(batch);
                    return;
                }
                try {
                    Thread.sleep(Math.min(1_000L, 200L * attempt));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private ChangeFeed.TurnSignal frames(String conversation, String turn) {
        return new ChangeFeed.TurnSignal(ChangeFeed.TurnSignal.FRAMES, feed.server(), conversation, turn, "-", "-");
    }

    /** Whether a socket elsewhere watches {@code turn}; takes its row's lock, so that a watch waits for this transaction. */
    private static boolean watched(java.sql.Connection connection, String turn) throws java.sql.SQLException {
        try (ResultSet row = LeaseSql.query(connection, "select watched_until_ms from chat_turn where turn_id = ? for update", turn)) {
            return row.next() && row.getLong(1) > 0;
        }
    }
}
