package io.servletbridge.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs every selected server on every selected workload, one fresh server JVM per row, driven by wrk on 127.0.0.1,
 * and prints one comparison table. See {@link Options#USAGE} for the arguments.
 */
public final class Benchmark {
    private Benchmark() {
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(Options.USAGE);
            System.exit(2);
            return;
        }
        String wrk = Wrk.version();
        if (wrk == null) {
            System.err.println("wrk is not installed: apt-get install -y wrk");
            System.exit(2);
        }
        long limit = ProcStatus.openFileLimit();
        PrintStream out = System.out;
        header(out, options, wrk, limit);

        Path workDir = Files.createTempDirectory("servlet-bridge-bench");
        try {
            WrkScripts scripts = WrkScripts.writeTo(workDir);
            RowRunner runner = new RowRunner(options, scripts, workDir, limit);
            List<Row> rows = new ArrayList<>();
            int total = options.workloads().size() * options.servers().size() * options.rounds();
            int done = 0;
            // Workloads outer: an interrupted run still has complete comparisons for what it finished. Rounds inside
            // a workload, servers innermost: a noisy minute hits one run of every server, not every run of one.
            for (Workload w : options.workloads()) {
                Map<ServerKind, List<Row>> runs = new LinkedHashMap<>();
                for (int round = 1; round <= options.rounds(); round++) {
                    for (ServerKind s : options.servers()) {
                        Row row = runner.run(s, w);
                        runs.computeIfAbsent(s, k -> new ArrayList<>()).add(row);
                        System.err.printf(Locale.ROOT, "[%d/%d] %s %s: %s%n", ++done, total, s.id, w.id,
                                progress(row));
                    }
                }
                runs.values().forEach(r -> rows.add(median(r)));
            }
            out.println();
            ResultTable.print(rows, out);
            out.println("load average at the end: " + LoadAverage.read());
        } finally {
            Children.stopAll();
            deleteQuietly(workDir);
        }
    }

    private static void header(PrintStream out, Options o, String wrk, long limit) {
        out.println("servlet-bridge benchmark, " + LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
                .substring(0, 16).replace('T', ' '));
        out.println("machine: " + Runtime.getRuntime().availableProcessors() + " cores; compare ratios, not absolute "
                + "numbers");
        out.println("pinning: " + o.pin().describe());
        out.println("JDK: " + System.getProperty("java.vm.name") + " " + Runtime.version() + "; each row starts a "
                + "fresh server JVM with the same flags: " + String.join(" ", o.jvmFlags()) + " -Dbench.workers="
                + o.workers() + " -Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        if (o.rounds() > 1) {
            out.println("rounds: " + o.rounds() + " runs of every row, interleaved across servers; each row shows its "
                    + "median run, the note its spread");
        }
        out.println("client: " + wrk + ", -t" + o.threads() + ", " + o.warmup().describe()
                + ", then " + o.duration().toSeconds() + " s measured per row, --timeout 10s; connections: "
                + "plaintext/json " + o.connections() + ", 1 MiB download/upload " + o.bulkConnections()
                + ", sleep20ms " + o.sleepConnections() + ", idle " + o.idleConnections());
        out.println("threads: " + o.workers() + " workers wherever a server has a pool (bridge, Tomcat maxThreads, "
                + "Jetty pool + its selectors, Undertow worker threads); loop/IO threads = cores");
        out.println("raw-netty / raw-undertow answer on the loop with no servlet layer; their sleep20ms row "
                + "schedules the 20 ms on the loop's timer instead of blocking a thread, so only the servlet rows "
                + "are capped at " + o.workers() + " workers / 20 ms = " + (o.workers() * 50) + " req/s");
        out.println("load average at start: " + LoadAverage.read());
        if (LoadAverage.oneMinute() > 1.0) {
            out.println("WARNING: the machine is already busy before the first row; other processes share the 2 "
                    + "cores with client and server, so expect noisy numbers (run again when it is quiet)");
        }
        out.println("errors = socket errors (connect, read, write, timeout) + responses with status >= 400; "
                + "peak RSS = VmHWM of the server JVM at the end of its row");
        for (ServerKind s : o.servers()) {
            if (s.skipReason() != null) {
                out.println(s.id + ": " + s.skipReason());
            }
        }
        int most = o.workloads().stream().filter(w -> w == Workload.IDLE || w == Workload.SLEEP)
                .mapToInt(o::connectionsFor).max().orElse(0);
        if (limit >= 0 && limit < FileLimit.needed(most)) {
            out.println("WARNING: " + FileLimit.advice(most, limit));
        }
        out.flush();
    }

    /**
     * The run with the median result (the lower of the middle two for an even count), its note saying the spread; a
     * failed run, if any, instead, since a median would hide it.
     */
    static Row median(List<Row> runs) {
        if (runs.size() == 1) {
            return runs.get(0);
        }
        for (Row r : runs) {
            if (!r.hasThroughput() && !r.hasMemoryPerConnection()) {
                return r;
            }
        }
        boolean idle = runs.get(0).hasMemoryPerConnection();
        // For throughput higher is better, for memory lower: sorting memory descending makes the lower middle the
        // less flattering run in both cases.
        Comparator<Row> order = idle ? Comparator.comparingDouble(Row::kibPerConnection).reversed()
                : Comparator.comparingDouble(Row::requestsPerSecond);
        List<Row> sorted = runs.stream().sorted(order).toList();
        Row middle = sorted.get((sorted.size() - 1) / 2);
        String spread = idle
                ? String.format(Locale.ROOT, "%.1f-%.1f KiB/conn", sorted.get(sorted.size() - 1).kibPerConnection(),
                        sorted.get(0).kibPerConnection())
                : String.format(Locale.ROOT, "%,.0f-%,.0f req/s", sorted.get(0).requestsPerSecond(),
                        sorted.get(sorted.size() - 1).requestsPerSecond());
        String note = "median of " + runs.size() + " (" + spread + ")";
        return middle.withNote(middle.note() == null || middle.note().isEmpty() ? note : middle.note() + "; " + note);
    }

    private static String progress(Row row) {
        if (row.hasThroughput()) {
            return String.format(Locale.ROOT, "%,.0f req/s, p99 %s, %d errors", row.requestsPerSecond(),
                    ResultTable.latency(row.p99Micros()), row.errors());
        }
        return row.note();
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp directory is harmless
        }
    }
}
