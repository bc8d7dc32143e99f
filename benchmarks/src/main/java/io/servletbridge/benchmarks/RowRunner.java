package io.servletbridge.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/** Runs one server on one workload in a fresh JVM and turns what happened, failures included, into a row. */
final class RowRunner {
    private final Options options;
    private final WrkScripts scripts;
    private final Path workDir;
    private final long openFileLimit;

    RowRunner(Options options, WrkScripts scripts, Path workDir, long openFileLimit) {
        this.options = options;
        this.scripts = scripts;
        this.workDir = workDir;
        this.openFileLimit = openFileLimit;
    }

    Row run(ServerKind server, Workload workload) throws InterruptedException {
        String skip = server.skipReason();
        if (skip == null) {
            skip = FileLimit.skipReason(workload, options.connectionsFor(workload), openFileLimit);
        }
        if (skip != null) {
            return Row.failed(server, workload, skip);
        }
        try (ServerProcess process = ServerProcess.start(server, options, workDir)) {
            String bad = Probe.check(process.port(), workload);
            if (bad != null) {
                System.err.println(server.id + " " + workload.id + ": " + bad + "\n" + process.logTail());
                return Row.failed(server, workload, bad);
            }
            Row row = workload.usesWrk() ? wrk(process, workload) : idle(process);
            if (!process.alive()) {
                return Row.failed(server, workload, "server died during the run:\n" + process.logTail());
            }
            return row;
        } catch (IOException e) {
            System.err.println(server.id + " " + workload.id + " failed: " + e.getMessage());
            return Row.failed(server, workload, "failed: " + firstLine(e.getMessage()));
        }
    }

    private Row wrk(ServerProcess process, Workload workload) throws IOException, InterruptedException {
        String url = "http://127.0.0.1:" + process.port() + workload.path;
        int connections = options.connectionsFor(workload);
        Path script = scripts.forWorkload(workload);
        String warm = options.warmup().run(url, options.threads(), connections, script, options.pin());
        WrkResult result = Wrk.run(url, options.threads(), connections, options.duration(), script, options.pin());
        String note = "c=" + connections;
        if (workload == Workload.SLEEP && process.kind().raw) {
            note += ", 20 ms as a loop timer (no blocked thread)";
        }
        if (warm != null) {
            note += ", " + warm;
        }
        return Row.measured(process.kind(), workload, result, ProcStatus.peakRssKib(process.pid()), note);
    }

    private Row idle(ServerProcess process) throws IOException, InterruptedException {
        int count = options.idleConnections();
        // Settle after the probe so class loading and JIT of the first request are in the baseline, not per conn.
        Thread.sleep(1000);
        long before = ProcStatus.rssKib(process.pid());
        try (IdleConnections conns = new IdleConnections()) {
            long start = System.nanoTime();
            conns.open(process.port(), count);
            double openSeconds = (System.nanoTime() - start) / 1e9;
            Thread.sleep(2000);
            long after = ProcStatus.rssKib(process.pid());
            int closed = conns.closedByServer();
            double perConnection = (after - before) / (double) count;
            String note = String.format(Locale.ROOT, "%d conns: %.1f KiB/conn (RSS %d -> %d MiB), opened in %.1f s",
                    count, perConnection, before / 1024, after / 1024, openSeconds);
            if (closed > 0) {
                note += ", " + closed + " closed by the server";
            }
            return Row.idle(process.kind(), ProcStatus.peakRssKib(process.pid()), perConnection, note);
        }
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }
}
