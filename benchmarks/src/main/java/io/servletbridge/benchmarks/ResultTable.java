package io.servletbridge.benchmarks;

import java.io.PrintStream;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Prints all rows as one table, grouped by workload. The last column compares each row with raw Netty on the same
 * workload: throughput ratio for wrk rows (higher is better), memory-per-connection ratio for the idle row (lower is
 * better).
 */
final class ResultTable {
    private static final String FORMAT = "%-19s %-11s %12s %9s %9s %8s %9s %11s  %s%n";

    private ResultTable() {
    }

    static void print(List<Row> rows, PrintStream out) {
        out.printf(FORMAT, "server", "workload", "requests/s", "p50", "p99", "errors", "peak RSS", "vs raw-netty", "note");
        out.println("-".repeat(104));
        List<Row> sorted = rows.stream()
                .sorted(Comparator.comparing((Row r) -> r.workload().ordinal())
                        .thenComparing(r -> r.server().ordinal()))
                .toList();
        Workload previous = null;
        for (Row r : sorted) {
            if (previous != null && previous != r.workload()) {
                out.println();
            }
            previous = r.workload();
            Optional<Row> base = sorted.stream()
                    .filter(b -> b.workload() == r.workload() && b.server() == ServerKind.RAW_NETTY).findFirst();
            out.printf(Locale.ROOT, FORMAT, r.server().id, r.workload().id,
                    r.hasThroughput() ? String.format(Locale.ROOT, "%,.0f", r.requestsPerSecond()) : "-",
                    latency(r.p50Micros()), latency(r.p99Micros()),
                    r.errors() >= 0 ? Long.toString(r.errors()) : "-",
                    r.peakRssKib() >= 0 ? (r.peakRssKib() / 1024) + " MiB" : "-",
                    ratio(r, base.orElse(null)),
                    r.note() == null ? "" : r.note());
        }
    }

    private static String ratio(Row r, Row base) {
        if (base == null) {
            return "-";
        }
        if (r.hasThroughput() && base.hasThroughput() && base.requestsPerSecond() > 0) {
            return String.format(Locale.ROOT, "%.2fx", r.requestsPerSecond() / base.requestsPerSecond());
        }
        if (r.hasMemoryPerConnection() && base.hasMemoryPerConnection() && base.kibPerConnection() > 0) {
            return String.format(Locale.ROOT, "%.2fx mem", r.kibPerConnection() / base.kibPerConnection());
        }
        return "-";
    }

    static String latency(long micros) {
        if (micros < 0) {
            return "-";
        }
        if (micros < 1000) {
            return micros + "us";
        }
        if (micros < 100_000) {
            return String.format(Locale.ROOT, "%.2fms", micros / 1000.0);
        }
        return (micros / 1000) + "ms";
    }
}
