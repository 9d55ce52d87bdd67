package dev.chatws.bench;

import java.util.Arrays;
import java.util.List;

/** Percentiles of microsecond samples, reported in milliseconds. Immutable. */
public record Stats(int count, double p50, double p99, double p999, double max) {

    /** The nearest-rank percentiles of {@code micros}. */
    public static Stats of(long[] micros) {
        if (micros.length == 0) {
            return new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        long[] sorted = micros.clone();
        Arrays.sort(sorted);
        return new Stats(sorted.length, rank(sorted, 0.50), rank(sorted, 0.99), rank(sorted, 0.999), sorted[sorted.length - 1] / 1000.0);
    }

    /** The median, statistic by statistic, of several runs' stats. */
    public static Stats median(List<Stats> runs) {
        return new Stats(
                (int) median(runs.stream().mapToDouble(Stats::count).toArray()),
                median(runs.stream().mapToDouble(Stats::p50).toArray()),
                median(runs.stream().mapToDouble(Stats::p99).toArray()),
                median(runs.stream().mapToDouble(Stats::p999).toArray()),
                median(runs.stream().mapToDouble(Stats::max).toArray()));
    }

    /** The median of {@code values}. */
    public static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** This minus {@code floor}, statistic by statistic: what the relay adds. */
    public Stats minus(Stats floor) {
        return new Stats(count, p50 - floor.p50, p99 - floor.p99, p999 - floor.p999, max - floor.max);
    }

    private static double rank(long[] sorted, double quantile) {
        int index = (int) Math.ceil(quantile * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1000.0;
    }

    /** Concatenates sample arrays. */
    public static long[] concat(List<long[]> parts) {
        int size = parts.stream().mapToInt(p -> p.length).sum();
        long[] all = new long[size];
        int at = 0;
        for (long[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }
}
