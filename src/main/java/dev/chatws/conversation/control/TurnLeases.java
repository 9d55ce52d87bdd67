package dev.chatws.conversation.control;

import dev.chatws.config.Durations;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The {@link TurnLedger} of servers sharing one PostgreSQL store. Table {@code chat_turn} has a
 * row per turn in flight: its conversation (the key: one turn per conversation across servers),
 * its server, and a lease that server renews every third of {@code chat.turns.lease} (default
 * 10 s) in one statement for all its turns. Table {@code chat_turn_frame} holds a turn's frames
 * only once a socket on another server watches it ({@code watched_until_ms}), written in batches
 * by {@link LeaseWrites}; the watchers are woken by {@code NOTIFY} ({@link ChangeFeed}). When a
 * lease expires (its server died), the first server to see it ends the turn cancelled
 * ({@link TurnRecovery}). With any other database the ledger is not {@link #shared()}.
 *
 * <p>Application-scoped and thread-safe. The heartbeat runs on the managed scheduler.
 */
@ApplicationScoped
public class TurnLeases implements TurnLedger {

    /** The heartbeat: observers say which turns run here and which ones elsewhere their sockets watch. */
    public record Beat(List<String> running, Map<String, String> watched) {
    }

    /** A turn of another server ({@code turn} of {@code conversation}) that sockets here watch has no row any more. */
    public record Vanished(String conversation, String turn) {
    }

    /** A turn of this server ({@code turn} of {@code conversation}) that sockets on another server watch until {@code until} (epoch ms). */
    public record Watched(String conversation, String turn, long until) {
    }

    private static final Logger LOG = Logger.getLogger(TurnLeases.class.getName());
    private static final String CLAIM = """
            insert into chat_turn (conversation_id, turn_id, server, kind, lease_until_ms, watched_until_ms, record)
            values (?, ?, ?, ?, ?, 0, ?) on conflict (conversation_id) do update set turn_id = excluded.turn_id,
              server = excluded.server, kind = excluded.kind, lease_until_ms = excluded.lease_until_ms, watched_until_ms = 0,
              record = excluded.record where chat_turn.server = excluded.server""";

    @Inject
    LeaseSql sql;

    @Inject
    ChangeFeed feed;

    @Inject
    LeaseWrites writes;

    @Inject
    TurnRecovery recovery;

    @Inject
    FrameReads reads;

    @Inject
    Event<Beat> beats;

    @Inject
    Event<Watched> watched;

    @Inject
    Event<Vanished> vanished;

    @Inject
    @ConfigProperty(name = "chat.turns.lease", defaultValue = "PT10S")
    String lease;

    @Resource
    ManagedScheduledExecutorService scheduler;

    private ScheduledFuture<?> heartbeat;
    private int beatsSinceCleanup;

    void start(@Observes @Initialized(ApplicationScoped.class) Object started) {
        if (shared()) {
            long every = Math.max(200, leaseMillis() / 3);
            heartbeat = scheduler.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
        }
    }

    @PreDestroy
    void stop() {
        if (heartbeat != null) {
            heartbeat.cancel(false);
        }
    }

    @Override
    public boolean shared() {
        return feed.enabled();
    }

    long leaseMillis() {
        return Math.max(1000, Durations.parse(lease).toMillis());
    }

    @Override
    public Claim claim(String conversation, String turn, TurnRecord record) {
        // This server's previous turn of it may still be ending (its terminal frame on its way to the watchers).
        writes.awaitEnds(conversation, Duration.ofMillis(leaseMillis()));
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                Optional<Boolean> expired = sql.run(connection -> {
                    long now = System.currentTimeMillis();
                    if (LeaseSql.update(connection, CLAIM, conversation, turn, feed.server(), record.kind(), now + leaseMillis(), record.json()) == 1) {
                        return Optional.empty();
                    }
                    try (ResultSet row = LeaseSql.query(connection, "select lease_until_ms from chat_turn where conversation_id = ?", conversation)) {
                        // No row: the turn in the way ended meanwhile; the claim is made again.
                        return Optional.of(!row.next() || row.getLong(1) < now);
                    }
                });
                if (expired.isEmpty()) {
                    // Told after the commit, batched with other notifications (a NOTIFY locks at commit).
                    feed.signal(new ChangeFeed.TurnSignal(ChangeFeed.TurnSignal.STARTED, feed.server(), conversation, turn, "-", record.kind()));
                    return Claim.TAKEN;
                }
                if (!expired.get() || attempt > 0) {
                    return Claim.BUSY;
                }
                // The turn in the way belongs to a server that died (or has just ended): it is ended first (§4), then the claim is made again.
                recovery.recover(conversation);
            } catch (StoreException e) {
                if (attempt > 0) {
                    LOG.log(Level.WARNING, "{0}: could not claim the turn slot: {1}", new Object[] {ChatScope.redact(conversation), e.getMessage()});
                    return Claim.FAILED;
                }
            }
        }
        return Claim.BUSY;
    }

    @Override
    public void relayed(String conversation, String turn, int seq, String frame) {
        writes.frame(conversation, turn, new Frame(seq, frame, false));
    }

    @Override
    public void ended(String conversation, String turn, List<Frame> unsent) {
        if (shared()) {
            writes.end(conversation, turn, unsent);
        }
    }

    @Override
    public Optional<Remote> running(String conversation) {
        return sql.run(connection -> {
            try (ResultSet row = LeaseSql.query(connection, "select turn_id, server, kind from chat_turn where conversation_id = ?", conversation)) {
                return row.next() && !feed.server().equals(row.getString(2))
                        ? Optional.of(new Remote(row.getString(1), row.getString(2), row.getString(3))) : Optional.empty();
            }
        });
    }

    @Override
    public Optional<TurnRecord> pending(String conversation) {
        return sql.run(connection -> {
            try (ResultSet row = LeaseSql.query(connection, "select record from chat_turn where conversation_id = ?", conversation)) {
                return row.next() ? Optional.of(TurnRecord.parse(row.getString(1))) : Optional.empty();
            }
        });
    }

    @Override
    public boolean watch(String conversation, Remote turn) {
        long until = System.currentTimeMillis() + leaseMillis();
        boolean on = sql.run(connection -> LeaseSql.update(connection,
                "update chat_turn set watched_until_ms = ? where conversation_id = ? and turn_id = ?", until, conversation, turn.turn()) == 1);
        if (on) {
            feed.signal(new ChangeFeed.TurnSignal(ChangeFeed.TurnSignal.WATCH, feed.server(), conversation, turn.turn(), turn.server(),
                    Long.toString(until)));
        }
        return on;
    }

    @Override
    public List<Frame> frames(String turn, int from) {
        return sql.run(connection -> {
            List<Frame> frames = new ArrayList<>();
            try (ResultSet rows = LeaseSql.query(connection, "select seq, body, last from chat_turn_frame where turn_id = ? and seq >= ? order by seq",
                    turn, from)) {
                while (rows.next()) {
                    frames.add(new Frame(rows.getInt(1), rows.getString(2), rows.getBoolean(3)));
                }
            }
            return frames;
        });
    }

    @Override
    public void frames(String turn, int from, java.util.function.Consumer<List<Frame>> then) {
        reads.read(turn, from, then);
    }

    @Override
    public void cancel(String conversation, Remote turn) {
        feed.signal(new ChangeFeed.TurnSignal(ChangeFeed.TurnSignal.CANCEL, feed.server(), conversation, turn.turn(), turn.server(), "-"));
    }

    /**
     * Renews the leases of the turns running here (one statement), learns which of them sockets
     * elsewhere watch, renews the watches of this server's sockets, and ends the turns whose
     * server's lease expired.
     */
    void beat() {
        try {
            Beat beat = new Beat(new ArrayList<>(), new HashMap<>());
            beats.fire(beat);
            long now = System.currentTimeMillis();
            List<Watched> renewed = new ArrayList<>();
            List<String> expired = new ArrayList<>();
            sql.run(connection -> {
                if (!beat.running().isEmpty()) {
                    try (PreparedStatement renew = connection.prepareStatement("update chat_turn set lease_until_ms = ? where server = ?"
                            + " and turn_id = any(?) returning conversation_id, turn_id, watched_until_ms")) {
                        renew.setLong(1, now + leaseMillis());
                        renew.setString(2, feed.server());
                        renew.setArray(3, connection.createArrayOf("varchar", beat.running().toArray()));
                        try (ResultSet rows = renew.executeQuery()) {
                            while (rows.next()) {
                                if (rows.getLong(3) > now) {
                                    renewed.add(new Watched(rows.getString(1), rows.getString(2), rows.getLong(3)));
                                }
                            }
                        }
                    }
                }
                if (!beat.watched().isEmpty()) {
                    try (PreparedStatement watch = connection.prepareStatement("update chat_turn set watched_until_ms = ? where turn_id = any(?)"
                            + " returning turn_id")) {
                        watch.setLong(1, now + leaseMillis());
                        watch.setArray(2, connection.createArrayOf("varchar", beat.watched().keySet().toArray()));
                        try (ResultSet rows = watch.executeQuery()) {
                            while (rows.next()) {
                                beat.watched().remove(rows.getString(1));
                            }
                        }
                    }
                }
                try (ResultSet rows = LeaseSql.query(connection, "select conversation_id from chat_turn where lease_until_ms < ? limit 100", now)) {
                    while (rows.next()) {
                        expired.add(rows.getString(1));
                    }
                }
                if (++beatsSinceCleanup >= 30) {
                    beatsSinceCleanup = 0;
                    LeaseSql.update(connection, "delete from chat_turn_frame f where written_ms < ? and not exists"
                            + " (select 1 from chat_turn t where t.turn_id = f.turn_id)", now - Duration.ofMinutes(5).toMillis());
                }
                return null;
            });
            renewed.forEach(watched::fire);
            // Watched turns whose row is gone (ended, its end perhaps never written): read once more, then the watch ends.
            beat.watched().forEach((turn, conversation) -> vanished.fire(new Vanished(conversation, turn)));
            expired.forEach(recovery::recover);
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "The turn heartbeat failed ({0}); it runs again shortly", e.getMessage());
        }
    }
}
