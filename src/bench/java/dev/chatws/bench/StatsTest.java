package dev.chatws.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void nearestRankPercentilesInMilliseconds() {
        long[] micros = new long[1000];
        for (int i = 0; i < micros.length; i++) {
            micros[i] = (i + 1) * 1000L;
        }
        Stats stats = Stats.of(micros);
        assertEquals(500, stats.p50());
        assertEquals(990, stats.p99());
        assertEquals(999, stats.p999());
        assertEquals(1000, stats.max());
    }

    @Test
    void medianOfRunsAndWhatTheRelayAdds() {
        Stats a = new Stats(1, 1, 10, 20, 30);
        Stats b = new Stats(1, 3, 30, 40, 50);
        Stats c = new Stats(1, 2, 20, 60, 70);
        Stats median = Stats.median(List.of(a, b, c));
        assertEquals(new Stats(1, 2, 20, 40, 50), median);
        assertEquals(new Stats(1, 1, 10, 20, 20), median.minus(a));
        assertEquals(2.5, Stats.median(new double[] {4, 1, 2, 3}));
    }
}
