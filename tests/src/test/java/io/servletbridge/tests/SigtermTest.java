package io.servletbridge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.servletbridge.Loop;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** SIGTERM to a program that runs the bridge stops it gracefully (builder {@code stopOnShutdown}). */
class SigtermTest {

    @BothLoops
    void sigtermLetsTheRequestInFlightAndItsBackgroundTaskFinish(Loop loop) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx64m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), SigtermServer.class.getName(), loop.id())
                .redirectErrorStream(true).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        List<String> all = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    all.add(line);
                    lines.add(line);
                }
            } catch (java.io.IOException ignored) {
                // the process ended
            }
            lines.add("EOF");
        });
        reader.setDaemon(true);
        reader.start();
        try {
            int port = Integer.parseInt(expect(lines, "PORT ").substring(5));
            try (RawHttp c = RawHttp.connect(port)) {
                c.get("/slow");
                expect(lines, "ENTERED");
                // SIGTERM through the handle: Process.destroy() would also close our end of the child's output.
                p.toHandle().destroy();
                RawHttp.Response r = c.readFinal();
                assertEquals(200, r.status(), "the request in flight completes");
                assertEquals("done", r.bodyText());
            }
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the program exits after the drain");
            reader.join(5000);
            assertTrue(all.contains("TASK DONE"), "the background task finished before exit (exit code "
                    + p.exitValue() + "): " + all);
        } finally {
            p.destroyForcibly();
        }
    }

    /** The next line starting with {@code prefix}, skipping others (log lines); fails after 20 s or at EOF. */
    private static String expect(BlockingQueue<String> lines, String prefix) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end) {
            String line = lines.poll(end - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (line == null || line.equals("EOF")) {
                break;
            }
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        throw new AssertionError("no line starting with '" + prefix + "'");
    }
}
