package io.servletbridge.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the wrk binary (Debian package {@code wrk}) against one URL and reads its report. */
final class Wrk {
    private Wrk() {
    }

    /** wrk has no --version; its usage text names the version, good enough for the header. */
    static String version() {
        try {
            Process p = Children.track(new ProcessBuilder("wrk", "-v").redirectErrorStream(true).start());
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            Children.stop(p);
            String first = out.lines().findFirst().orElse("");
            int copyright = first.indexOf(" Copyright");
            first = copyright < 0 ? first.trim() : first.substring(0, copyright).trim();
            return first.isEmpty() ? "wrk (version unknown)" : first;
        } catch (IOException e) {
            return null;
        }
    }

    static WrkResult run(String url, int threads, int connections, Duration duration, java.nio.file.Path script,
                         Pinning pin) throws IOException, InterruptedException {
        long seconds = Math.max(1, duration.toSeconds());
        // A timeout well above any honest latency here, so slow-but-correct 1 MiB transfers are not errors.
        List<String> cmd = pin.clientCommand(List.of("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s",
                "--timeout", "10s", "-s", script.toString(), url));
        Process p = Children.track(new ProcessBuilder(cmd).redirectErrorStream(true).start());
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(seconds + 30, TimeUnit.SECONDS)) {
                throw new IOException("wrk did not finish: " + String.join(" ", cmd));
            }
            String text = new String(out, StandardCharsets.UTF_8);
            return text.lines().filter(l -> l.startsWith(WrkScripts.RESULT_PREFIX)).findFirst()
                    .map(WrkResult::parse)
                    .orElseThrow(() -> new IOException("wrk printed no result (exit " + p.exitValue() + "):\n"
                            + text));
        } finally {
            Children.stop(p);
        }
    }
}
