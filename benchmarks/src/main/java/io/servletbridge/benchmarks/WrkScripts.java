package io.servletbridge.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Lua scripts given to wrk, written at run time into the run's temp directory. Their {@code done} hook prints
 * one machine-readable line, exact microseconds rather than wrk's rounded, unit-suffixed text.
 */
final class WrkScripts {
    static final String RESULT_PREFIX = "BENCH ";

    private static final String REPORT = """
            function done(summary, latency, requests)
              local e = summary.errors
              io.write(string.format(
                "BENCH requests=%.0f duration_us=%.0f p50_us=%.0f p99_us=%.0f"
                .. " connect=%.0f read=%.0f write=%.0f status=%.0f timeout=%.0f\\n",
                summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
                e.connect, e.read, e.write, e.status, e.timeout))
            end
            """;

    private static final String UPLOAD = """
            -- The body is built once per wrk thread, then sent with every request.
            wrk.method = "POST"
            wrk.body = string.rep("x", %d)
            wrk.headers["Content-Type"] = "application/octet-stream"
            """;

    private final Path dir;
    private final Path get;

    private WrkScripts(Path dir, Path get) {
        this.dir = dir;
        this.get = get;
    }

    static WrkScripts writeTo(Path dir) throws IOException {
        Path get = Files.writeString(dir.resolve("get.lua"), REPORT, StandardCharsets.UTF_8);
        return new WrkScripts(dir, get);
    }

    Path forWorkload(Workload w) throws IOException {
        if (w.uploadBytes() == 0) {
            return get;
        }
        Path script = dir.resolve("upload-" + w.uploadBytes() + ".lua");
        if (!Files.exists(script)) {
            Files.writeString(script, UPLOAD.formatted(w.uploadBytes()) + REPORT, StandardCharsets.UTF_8);
        }
        return script;
    }
}
