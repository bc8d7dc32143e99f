package io.servletbridge.examples.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Streams a large body each way through a bridge whose JVM has a small heap, and prints the server's peak RSS.
 * Proof that bodies flow through bounded buffers: 1 GiB cannot fit in a 64 MiB heap.
 *
 * <pre>java -cp examples/target/servlet-bridge-examples-all.jar io.servletbridge.examples.bench.StreamingBenchmark \
 *      [bytes=1073741824] [loops=netty,undertow] [heap=64m]</pre>
 */
public final class StreamingBenchmark {
    private StreamingBenchmark() {
    }

    private record Result(String loop, String workload, long bytes, double seconds, boolean ok) { }

    public static void main(String[] args) throws Exception {
        long bytes = 1L << 30;
        String[] loops = {"netty", "undertow"};
        String heap = "64m";
        for (String a : args) {
            if (a.startsWith("bytes=")) {
                bytes = Long.parseLong(a.substring(6));
            } else if (a.startsWith("loops=")) {
                loops = a.substring(6).split(",");
            } else if (a.startsWith("heap=")) {
                heap = a.substring(5);
            }
        }
        System.out.printf("servlet-bridge streaming benchmark: %d MiB each way, server -Xmx%s, JDK %s, %d cores%n",
                bytes >> 20, heap, Runtime.version(), Runtime.getRuntime().availableProcessors());
        List<String> rows = new ArrayList<>();
        for (String loop : loops) {
            rows.addAll(run(loop.trim(), bytes, heap));
        }
        System.out.println();
        System.out.printf("%-9s %-10s %10s %9s %10s %6s %14s%n", "loop", "workload", "MiB", "seconds", "MiB/s", "ok",
                "server RSS");
        rows.forEach(System.out::println);
    }

    private static List<String> run(String loop, long bytes, String heap) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx" + heap, "-XX:MaxDirectMemorySize=" + heap,
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), StreamServer.class.getName(), loop);
        pb.redirectErrorStream(true);
        Process server = pb.start();
        List<String> rows = new ArrayList<>();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(),
                    StandardCharsets.UTF_8));
            int port = -1;
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("PORT ")) {
                    port = Integer.parseInt(line.substring(5).trim());
                    break;
                }
                System.out.println("[" + loop + "] " + line);
            }
            if (port < 0) {
                throw new IllegalStateException("server for " + loop + " did not start");
            }
            Thread drain = new Thread(() -> out.lines().forEach(l -> System.out.println("[" + loop + "] " + l)));
            drain.setDaemon(true);
            drain.start();
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String base = "http://127.0.0.1:" + port;
            List<Result> results = new ArrayList<>();
            for (String w : List.of("download", "upload", "echo")) {
                Result r = w.equals("download") ? download(client, base, loop, bytes)
                        : w.equals("upload") ? upload(client, base, loop, bytes) : echo(port, loop, bytes);
                System.out.printf("[%s] %s: %.2f s%s%n", loop, w, r.seconds, r.ok ? "" : " FAILED");
                results.add(r);
            }
            long peakKb = statusKb(server.pid(), "VmHWM:");
            for (Result r : results) {
                double mib = r.bytes / (1024.0 * 1024.0);
                rows.add(String.format("%-9s %-10s %10.0f %9.2f %10.1f %6s %11d MiB", r.loop, r.workload, mib,
                        r.seconds, mib / r.seconds, r.ok ? "yes" : "NO", peakKb / 1024));
            }
        } finally {
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
        return rows;
    }

    private static Result download(HttpClient client, String base, String loop, long bytes) throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(URI.create(base + "/download?bytes=" + bytes))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        long n = count(r.body());
        return new Result(loop, "download", n, secondsSince(t0), r.statusCode() == 200 && n == bytes);
    }

    private static Result upload(HttpClient client, String base, String loop, long bytes) throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/upload"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new PatternStream(bytes))).build(),
                HttpResponse.BodyHandlers.ofString());
        boolean ok = r.statusCode() == 200 && r.body().trim().equals(Long.toString(bytes));
        return new Result(loop, "upload", bytes, secondsSince(t0), ok);
    }

    /**
     * Upload and download at once over a raw socket: java.net.http sends the whole request body before it reads
     * the response, which deadlocks against any server that streams its answer while it reads (as this one does,
     * with bounded buffers).
     */
    private static Result echo(int port, String loop, long bytes) throws Exception {
        long t0 = System.nanoTime();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            Thread writer = new Thread(() -> {
                try {
                    out.write(("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
                            + "Content-Length: " + bytes + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    new PatternStream(bytes).transferTo(out);
                    out.flush();
                } catch (IOException e) {
                    System.out.println("[" + loop + "] echo upload failed: " + e);
                }
            }, "echo-upload");
            writer.start();
            InputStream in = new java.io.BufferedInputStream(socket.getInputStream(), 64 * 1024);
            String status = readLine(in);
            boolean chunked = false;
            for (String h; !(h = readLine(in)).isEmpty(); ) {
                chunked |= h.toLowerCase(java.util.Locale.ROOT).startsWith("transfer-encoding:") && h.contains("chunked");
            }
            long n = chunked ? countChunked(in) : count(in);
            writer.join();
            return new Result(loop, "echo", n, secondsSince(t0), status.contains(" 200 ") && n == bytes);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c; (c = in.read()) >= 0 && c != '\n'; ) {
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    private static long countChunked(InputStream in) throws IOException {
        long total = 0;
        byte[] buf = new byte[64 * 1024];
        while (true) {
            String sizeLine = readLine(in);
            int semi = sizeLine.indexOf(';');
            long size = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
            if (size == 0) {
                return total;
            }
            for (long left = size; left > 0; ) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    return total;
                }
                left -= n;
                total += n;
            }
            readLine(in);
        }
    }

    private static long count(InputStream in) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        try (in) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                total += n;
            }
        }
        return total;
    }

    private static double secondsSince(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    /** A kB figure from /proc/PID/status (VmHWM is the peak resident set), or -1 off Linux. */
    static long statusKb(long pid, String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** {@code size} bytes of a fixed pattern, generated on the fly so the client holds none of it. */
    static final class PatternStream extends InputStream {
        private long left;

        PatternStream(long size) {
            this.left = size;
        }

        @Override
        public int read() {
            if (left <= 0) {
                return -1;
            }
            left--;
            return 'y';
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            java.util.Arrays.fill(b, off, off + n, (byte) 'y');
            left -= n;
            return n;
        }
    }
}
