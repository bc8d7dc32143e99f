package io.servletbridge.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One server JVM, started fresh for one row so that its peak RSS belongs to that workload alone (and by the soak
 * program, for one soak run).
 */
public final class ServerProcess implements AutoCloseable {
    private static final String READY = "LISTENING ";

    private final ServerKind kind;
    private final Process process;
    private final Path log;
    private final int port;

    private ServerProcess(ServerKind kind, Process process, Path log, int port) {
        this.kind = kind;
        this.process = process;
        this.log = log;
        this.port = port;
    }

    static List<String> command(ServerKind kind, Options options) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(options.jvmFlags());
        cmd.add("-Dbench.workers=" + options.workers());
        // Quiet servers: a log line per request or per warning would be measured too.
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(kind.mainClass.getName());
        return options.pin().serverCommand(cmd);
    }

    static ServerProcess start(ServerKind kind, Options options, Path workDir) throws IOException,
            InterruptedException {
        return start(kind, kind.id, command(kind, options), workDir);
    }

    /**
     * Starts {@code mainClass} from this JVM's class path with {@code jvmFlags}; it must print {@code LISTENING
     * <port>} once it serves and exit when its standard input closes.
     */
    public static ServerProcess start(String id, Class<?> mainClass, List<String> jvmFlags, Path workDir)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmFlags);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass.getName());
        return start(null, id, cmd, workDir);
    }

    private static ServerProcess start(ServerKind kind, String id, List<String> command, Path workDir)
            throws IOException, InterruptedException {
        Path log = workDir.resolve(id + "-" + System.nanoTime() + ".log");
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        // stdin stays a pipe: the server exits when the driver, holding its other end, goes away.
        Process p = Children.track(pb.start());
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            int port = readPort(log);
            if (port > 0) {
                return new ServerProcess(kind, p, log, port);
            }
            if (!p.isAlive()) {
                break;
            }
            Thread.sleep(50);
        }
        Children.stop(p);
        throw new IOException(id + " did not start (pid " + p.pid() + "); its output ends with:\n"
                + tail(log));
    }

    private static int readPort(Path log) throws IOException {
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            if (line.startsWith(READY)) {
                return Integer.parseInt(line.substring(READY.length()).trim());
            }
        }
        return -1;
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    /** The port the server announced. */
    public int port() {
        return port;
    }

    /** The server JVM's process id, for {@link ProcStatus}. */
    public long pid() {
        return process.pid();
    }

    /** Whether the server JVM still runs. */
    public boolean alive() {
        return process.isAlive();
    }

    /** The last lines of the server's output. */
    public String logTail() {
        return tail(log);
    }

    /** The server's whole output so far (stdout and stderr). */
    public Path log() {
        return log;
    }

    /** Null for servers not started from a {@link ServerKind}. */
    ServerKind kind() {
        return kind;
    }

    /** Stops the server: SIGTERM, then SIGKILL if it has not exited within five seconds. */
    @Override
    public void close() {
        Children.stop(process);
    }
}
