package dev.chatws.conversation.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The reads of watched turns' frames on a watching server: every watch that was told of new
 * frames asks here, and whatever is asked meanwhile is read in one query for all turns, so 32
 * watched streams cost one round trip per wake-up, not 32. Each asker gets its turn's frames from
 * the place it asked for on, in order, on the reading thread (null if the read failed).
 *
 * <p>Application-scoped and thread-safe: asking never blocks; one background thread reads at a time.
 */
@ApplicationScoped
public class FrameReads {

    private static final Logger LOG = Logger.getLogger(FrameReads.class.getName());
    private static final String READ = """
            select f.turn_id, f.seq, f.body, f.last from chat_turn_frame f
            join unnest(?::varchar[], ?::int[]) as w(turn_id, from_seq) on f.turn_id = w.turn_id and f.seq >= w.from_seq
            order by f.turn_id, f.seq""";

    private record Ask(int from, Consumer<List<TurnLedger.Frame>> then) {
    }

    @Inject
    LeaseSql sql;

    @Inject
    ConversationSettings settings;

    private final Map<String, Ask> asked = new LinkedHashMap<>();
    private boolean reading;

    /** Reads the frames of {@code turn} from place {@code from} on and hands them to {@code then}; one ask per turn at a time. */
    void read(String turn, int from, Consumer<List<TurnLedger.Frame>> then) {
        synchronized (this) {
            asked.put(turn, new Ask(from, then));
            if (reading) {
                return;
            }
            reading = true;
        }
        try {
            settings.background(this::drain);
        } catch (RejectedExecutionException e) {
            synchronized (this) {
                reading = false;
            }
            then.accept(null);
        }
    }

    private void drain() {
        for (;;) {
            Map<String, Ask> batch;
            synchronized (this) {
                if (asked.isEmpty()) {
                    reading = false;
                    return;
                }
                batch = new LinkedHashMap<>(asked);
                asked.clear();
            }
            Map<String, List<TurnLedger.Frame>> frames = read(batch);
            batch.forEach((turn, ask) -> {
                try {
                    ask.then().accept(frames == null ? null : frames.getOrDefault(turn, List.of()));
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "Relaying the frames of a turn watched here failed", e);
                }
            });
        }
    }

    private Map<String, List<TurnLedger.Frame>> read(Map<String, Ask> batch) {
        try {
            return sql.run(connection -> {
                Map<String, List<TurnLedger.Frame>> frames = new HashMap<>();
                try (PreparedStatement read = connection.prepareStatement(READ)) {
                    read.setArray(1, connection.createArrayOf("varchar", batch.keySet().toArray()));
                    read.setArray(2, connection.createArrayOf("int4", batch.values().stream().map(Ask::from).toArray()));
                    try (ResultSet rows = read.executeQuery()) {
                        while (rows.next()) {
                            frames.computeIfAbsent(rows.getString(1), turn -> new ArrayList<>())
                                    .add(new TurnLedger.Frame(rows.getInt(2), rows.getString(3), rows.getBoolean(4)));
                        }
                    }
                }
                return frames;
            });
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "Could not read the frames of turns watched here: {0}", e.getMessage());
            return null;
        }
    }
}
