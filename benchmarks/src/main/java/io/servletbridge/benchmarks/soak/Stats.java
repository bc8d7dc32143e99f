package io.servletbridge.benchmarks.soak;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts and latencies of the soak's requests: per reporting interval (all kinds together) and for the whole run
 * (per kind). Latencies are kept raw and sorted when reported; a soak at a few thousand requests per second holds a
 * few million longs at most, which is cheaper and exacter than a histogram.
 */
final class Stats {
    private final Map<Kind, Longs> runLatencies = new EnumMap<>(Kind.class);
    private final Map<Kind, Long> runErrors = new EnumMap<>(Kind.class);
    private final Map<String, Long> runErrorKinds = new TreeMap<>();
    private Longs interval = new Longs();
    private Map<String, Long> intervalErrors = new TreeMap<>();
    private long total;

    Stats() {
        for (Kind k : Kind.values()) {
            runLatencies.put(k, new Longs());
            runErrors.put(k, 0L);
        }
    }

    synchronized void record(Kind kind, long nanos, String error) {
        total++;
        interval.add(nanos);
        runLatencies.get(kind).add(nanos);
        if (error != null) {
            String key = kind.label + ": " + error;
            intervalErrors.merge(key, 1L, Long::sum);
            runErrorKinds.merge(key, 1L, Long::sum);
            runErrors.merge(kind, 1L, Long::sum);
        }
    }

    /** What happened since the last call. */
    record Interval(long total, long requests, Map<String, Long> errors, long[] sortedNanos) {
    }

    synchronized Interval takeInterval() {
        Interval i = new Interval(total, interval.size, intervalErrors, interval.sorted());
        interval = new Longs();
        intervalErrors = new TreeMap<>();
        return i;
    }

    synchronized long[] sortedRun(Kind k) {
        return runLatencies.get(k).sorted();
    }

    synchronized long errors(Kind k) {
        return runErrors.get(k);
    }

    synchronized Map<String, Long> errorKinds() {
        return new TreeMap<>(runErrorKinds);
    }

    synchronized long total() {
        return total;
    }

    /** The {@code p}-th percentile (0..100) of sorted values in milliseconds, or NaN when there are none. */
    static double percentileMs(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    /** A growable array of longs. */
    private static final class Longs {
        long[] values = new long[1024];
        int size;

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        long[] sorted() {
            long[] s = Arrays.copyOf(values, size);
            Arrays.sort(s);
            return s;
        }
    }
}
