package io.servletbridge.benchmarks.soak;

import io.servletbridge.benchmarks.Children;
import io.servletbridge.benchmarks.ProcStatus;
import io.servletbridge.benchmarks.ServerProcess;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A long mixed-load run against one bridge server in a child JVM ({@code -Xmx256m}): small GETs, JSON, 64 KiB
 * uploads echoed back, 1 MiB downloads, async requests completed by a background task, clients that reset midway,
 * malformed requests and slow clients, from a bounded number of client threads. Every interval it prints requests,
 * errors by kind, latency percentiles and the server's RSS and thread count from /proc; at the end a summary per
 * kind. Not a test: it looks for what only time shows (growing memory or threads, a stuck loop, rare errors).
 *
 * <pre>
 * java -cp benchmarks/target/servlet-bridge-benchmarks.jar io.servletbridge.benchmarks.soak.Soak \
 *     loop=netty|undertow duration=10m [concurrency=32] [interval=10s] [seed=N]
 * </pre>
 *
 * Exits 1 when any request failed or the server died, so a script can use it as a gate.
 */
public final class Soak {
    static final String USAGE = """
            usage: java -cp servlet-bridge-benchmarks.jar io.servletbridge.benchmarks.soak.Soak [key=value ...]
              loop=netty           netty or undertow
              duration=10m         how long the load runs (ms, s, m, h)
              concurrency=32       client threads, each one request at a time
              interval=10s         how often a progress line is printed
              seed=N               the mix's random seed (default: random, printed)
              jvm="-Xms64m -Xmx256m"  flags for the server JVM
            """;

    private Soak() {
    }

    private record Options(String loop, Duration duration, int concurrency, Duration interval, long seed,
            List<String> jvm) {
    }

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        PrintStream out = System.out;
        out.printf(Locale.ROOT, "soak: loop=%s duration=%s concurrency=%d interval=%s seed=%d server jvm=%s java=%s%n",
                o.loop(), o.duration(), o.concurrency(), o.interval(), o.seed(), o.jvm(),
                Runtime.version());
        Path workDir = Files.createTempDirectory("servlet-bridge-soak");
        List<String> jvm = new ArrayList<>(o.jvm());
        jvm.add("-Dsoak.loop=" + o.loop());
        jvm.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        int exit;
        try (ServerProcess server = ServerProcess.start("soak-" + o.loop(), SoakServer.class, jvm, workDir)) {
            out.printf("server pid %d on 127.0.0.1:%d, log %s%n", server.pid(), server.port(), server.log());
            exit = run(o, server, out);
        } finally {
            Children.stopAll();
        }
        System.exit(exit);
    }

    private static int run(Options o, ServerProcess server, PrintStream out) throws InterruptedException {
        Stats stats = new Stats();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < o.concurrency(); i++) {
            SplittableRandom random = new SplittableRandom(o.seed() + i);
            Thread t = new Thread(() -> drive(server.port(), random, running, stats), "soak-client-" + i);
            t.setDaemon(true);
            clients.add(t);
        }
        long rssStart = ProcStatus.rssKib(server.pid());
        long threadsStart = ProcStatus.threads(server.pid());
        long rssMax = rssStart;
        long threadsMax = threadsStart;
        out.printf(Locale.ROOT, "server before load: RSS %s, %d threads%n%n", mib(rssStart), threadsStart);
        out.printf(Locale.ROOT, "%8s %10s %8s %7s %8s %8s %8s %9s %11s %8s%n", "time", "requests", "req/s",
                "errors", "p50 ms", "p90 ms", "p99 ms", "max ms", "server RSS", "threads");
        long start = System.nanoTime();
        long end = start + o.duration().toNanos();
        clients.forEach(Thread::start);
        long next = start;
        while (System.nanoTime() < end && server.alive()) {
            next = Math.min(end, next + o.interval().toNanos());
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            Stats.Interval i = stats.takeInterval();
            long rss = ProcStatus.rssKib(server.pid());
            long threads = ProcStatus.threads(server.pid());
            rssMax = Math.max(rssMax, rss);
            threadsMax = Math.max(threadsMax, threads);
            double secs = o.interval().toNanos() / 1e9;
            long errors = i.errors().values().stream().mapToLong(Long::longValue).sum();
            out.printf(Locale.ROOT, "%7ds %10d %8.0f %7d %8.2f %8.2f %8.2f %9.2f %11s %8d%n",
                    Duration.ofNanos(System.nanoTime() - start).toSeconds(), i.total(), i.requests() / secs, errors,
                    Stats.percentileMs(i.sortedNanos(), 50), Stats.percentileMs(i.sortedNanos(), 90),
                    Stats.percentileMs(i.sortedNanos(), 99), Stats.percentileMs(i.sortedNanos(), 100), mib(rss),
                    threads);
            if (errors > 0) {
                out.println("         errors: " + i.errors());
            }
        }
        boolean serverDied = !server.alive();
        running.set(false);
        for (Thread t : clients) {
            // Slow clients finish their request first; a stuck one is reported, not waited for.
            t.join(Connection.READ_TIMEOUT_MS + 5_000);
        }
        long stuck = clients.stream().filter(Thread::isAlive).count();
        double seconds = (System.nanoTime() - start) / 1e9;
        summary(out, stats, seconds);
        long rssEnd = ProcStatus.rssKib(server.pid());
        long threadsEnd = ProcStatus.threads(server.pid());
        out.printf(Locale.ROOT, "%nserver: RSS %s at start, %s max seen, %s at end (peak %s); threads %d at start, "
                + "%d max seen, %d at end%n", mib(rssStart), mib(rssMax), mib(rssEnd),
                mib(ProcStatus.peakRssKib(server.pid())), threadsStart, threadsMax, threadsEnd);
        Map<String, Long> logProblems = logProblems(server.log());
        out.printf("server log: %d WARN/ERROR message(s)%n", logProblems.values().stream().mapToLong(Long::longValue)
                .sum());
        logProblems.forEach((message, count) -> out.printf("  %8d  %s%n", count, message));
        Map<String, Long> errorKinds = stats.errorKinds();
        if (!errorKinds.isEmpty()) {
            out.println("errors by kind:");
            errorKinds.forEach((k, v) -> out.printf("  %8d  %s%n", v, k));
        }
        if (serverDied) {
            out.println("FAILED: the server died; its output ends with:\n" + server.logTail());
        }
        if (stuck > 0) {
            out.println("FAILED: " + stuck + " client(s) still waiting on the server after the run");
        }
        boolean ok = !serverDied && stuck == 0 && errorKinds.isEmpty();
        out.println(ok ? "soak passed" : "soak FAILED");
        return ok ? 0 : 1;
    }

    private static void drive(int port, SplittableRandom random, AtomicBoolean running, Stats stats) {
        try (Client client = new Client(port)) {
            while (running.get()) {
                Kind kind = Kind.pick(random);
                long t0 = System.nanoTime();
                String error = null;
                try {
                    kind.run(client, random);
                } catch (IOException | Kind.Failure | RuntimeException e) {
                    error = Kind.classify(e);
                    client.drop();
                }
                stats.record(kind, System.nanoTime() - t0, error);
            }
        }
    }

    private static void summary(PrintStream out, Stats stats, double seconds) {
        out.printf(Locale.ROOT, "%nsummary: %d requests in %.0f s (%.0f/s)%n", stats.total(), seconds,
                stats.total() / seconds);
        out.println("| kind | requests | errors | p50 ms | p90 ms | p99 ms | max ms |");
        out.println("|---|---|---|---|---|---|---|");
        for (Kind k : Kind.values()) {
            long[] s = stats.sortedRun(k);
            out.printf(Locale.ROOT, "| %s | %d | %d | %.2f | %.2f | %.2f | %.2f |%n", k.label, s.length,
                    stats.errors(k), Stats.percentileMs(s, 50), Stats.percentileMs(s, 90),
                    Stats.percentileMs(s, 99), Stats.percentileMs(s, 100));
        }
    }

    /**
     * WARN and ERROR messages of the server (slf4j-simple's format), counted by text with the thread name left out,
     * and the first "Caused by" of each, so a flood of one kind reads as one line.
     */
    private static Map<String, Long> logProblems(Path log) {
        Map<String, Long> counts = new java.util.TreeMap<>();
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String l = lines.get(i);
                int level = Math.max(l.indexOf("] WARN "), l.indexOf("] ERROR "));
                if (level < 0) {
                    continue;
                }
                String message = l.substring(level + 2);
                for (int j = i + 1; j < lines.size() && j < i + 60; j++) {
                    String next = lines.get(j);
                    if (next.startsWith("Caused by: ")) {
                        message += " <- " + next.substring("Caused by: ".length());
                        break;
                    }
                    if (next.indexOf("] WARN ") > 0 || next.indexOf("] ERROR ") > 0) {
                        break;
                    }
                }
                counts.merge(message.length() > 220 ? message.substring(0, 220) + "..." : message, 1L, Long::sum);
            }
        } catch (IOException e) {
            counts.put("(log unreadable: " + e.getMessage() + ")", 1L);
        }
        return counts;
    }

    private static String mib(long kib) {
        return kib < 0 ? "-" : (kib / 1024) + " MiB";
    }

    private static Options parse(String[] args) {
        String loop = "netty";
        Duration duration = Duration.ofMinutes(10);
        int concurrency = 32;
        Duration interval = Duration.ofSeconds(10);
        long seed = System.nanoTime();
        List<String> jvm = List.of("-Xms64m", "-Xmx256m");
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got '" + arg + "'");
            }
            String key = arg.substring(0, eq).toLowerCase(Locale.ROOT);
            String value = arg.substring(eq + 1).trim();
            switch (key) {
                case "loop" -> {
                    loop = value.toLowerCase(Locale.ROOT);
                    if (!loop.equals("netty") && !loop.equals("undertow")) {
                        throw new IllegalArgumentException("loop must be netty or undertow, not '" + value + "'");
                    }
                }
                case "duration" -> duration = duration(value);
                case "concurrency" -> concurrency = Integer.parseInt(value);
                case "interval" -> interval = duration(value);
                case "seed" -> seed = Long.parseLong(value);
                case "jvm" -> jvm = List.of(value.split("\\s+"));
                default -> throw new IllegalArgumentException("unknown option '" + key + "'");
            }
        }
        if (concurrency < 1 || concurrency > 10_000) {
            throw new IllegalArgumentException("concurrency must be 1..10000");
        }
        if (interval.isZero() || interval.isNegative() || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration and interval must be positive");
        }
        return new Options(loop, duration, concurrency, interval, seed, jvm);
    }

    private static Duration duration(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new IllegalArgumentException("bad duration '" + text + "' (use ms, s, m or h)");
            };
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("bad duration '" + text + "' (use ms, s, m or h)");
        }
    }
}
