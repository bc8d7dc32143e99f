package io.servletbridge.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The command line: {@code key=value} words, every one optional. */
record Options(List<ServerKind> servers, List<Workload> workloads, WarmUp warmup, Duration duration,
        int threads, int connections, int bulkConnections, int sleepConnections, int idleConnections,
        int workers, List<String> jvmFlags, Pinning pin, int rounds) {

    static final String USAGE = """
            usage: java -jar servlet-bridge-benchmarks.jar [key=value ...]
              servers=a,b,...      %s (default: all)
              workloads=a,b,...    %s (default: all)
              warmup=auto          untimed load before each measured run: auto (2 s wrk runs until two in a
                                   row agree within 10 %%, at most 20 s), or a fixed time such as 5s (0: none)
              duration=10s         measured run per server and workload
              threads=2            wrk threads
              connections=64       wrk connections for plaintext and json
              bulk=16              wrk connections for the 1 MiB download and upload
              sleepConnections=1000  wrk connections for the 20 ms blocking workload
              idle=10000           keep-alive connections held open by the idle workload
              workers=200          worker threads on every server that has them
              jvm="-Xms128m -Xmx512m -XX:+UseG1GC"  flags for every server JVM (same for all)
              rounds=1             runs of every row, interleaved across servers; the table shows each row's
                                   median run and the spread (for a noisy machine: rounds=3)
              pin=auto             auto (server on the first half of the cores, wrk on the rest, with taskset),
                                   none (share every core), or SERVER/CLIENT cpu lists such as 0/1
            """.formatted(ServerKind.ids(), Workload.ids());

    static Options parse(String[] args) {
        List<ServerKind> servers = List.of(ServerKind.values());
        List<Workload> workloads = List.of(Workload.values());
        WarmUp warmup = WarmUp.AUTO;
        Duration duration = Duration.ofSeconds(10);
        int threads = 2;
        int connections = 64;
        int bulk = 16;
        int sleep = 1000;
        int idle = 10_000;
        int workers = 200;
        List<String> jvm = List.of("-Xms128m", "-Xmx512m", "-XX:+UseG1GC");
        String pin = "auto";
        int rounds = 1;
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got '" + arg + "'");
            }
            String key = arg.substring(0, eq).toLowerCase(Locale.ROOT);
            String value = arg.substring(eq + 1).trim();
            switch (key) {
                case "servers" -> servers = ServerKind.parse(value);
                case "workloads" -> workloads = Workload.parse(value);
                case "warmup" -> warmup = WarmUp.parse(value);
                case "duration" -> duration = duration(value);
                case "threads" -> threads = positive(key, value);
                case "connections" -> connections = positive(key, value);
                case "bulk" -> bulk = positive(key, value);
                case "sleepconnections" -> sleep = positive(key, value);
                case "idle" -> idle = positive(key, value);
                case "workers" -> workers = positive(key, value);
                case "jvm" -> jvm = new ArrayList<>(Arrays.asList(value.split("\\s+")));
                case "pin" -> pin = value;
                case "rounds" -> rounds = positive(key, value);
                default -> throw new IllegalArgumentException("unknown option '" + key + "'");
            }
        }
        return new Options(servers, workloads, warmup, duration, threads, connections, bulk, sleep, idle, workers,
                List.copyOf(jvm), Pinning.parse(pin), rounds);
    }

    /** wrk connections for a workload; wrk refuses fewer connections than threads. */
    int connectionsFor(Workload w) {
        int c = switch (w) {
            case SLEEP -> sleepConnections;
            case DOWNLOAD, STATIC, UPLOAD -> bulkConnections;
            case UPLOAD_SMALL -> connections;
            case IDLE -> idleConnections;
            default -> connections;
        };
        return Math.max(c, threads);
    }

    static Duration duration(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        if (t.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
        }
        if (t.endsWith("s")) {
            return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
        }
        if (t.endsWith("m")) {
            return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
        }
        return Duration.ofSeconds(Long.parseLong(t));
    }

    private static int positive(String key, String value) {
        int n = Integer.parseInt(value);
        if (n <= 0) {
            throw new IllegalArgumentException(key + " must be positive, got " + n);
        }
        return n;
    }
}
