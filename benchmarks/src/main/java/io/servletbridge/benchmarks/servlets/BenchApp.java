package io.servletbridge.benchmarks.servlets;

import jakarta.servlet.Servlet;
import java.util.List;

/** The one application every servlet server hosts: the same servlet classes behind the same paths. */
public final class BenchApp {
    /** A servlet and the path it answers. */
    public record Mapping(String name, String path, Servlet servlet) { }

    private BenchApp() {
    }

    /** Fresh instances each call: a server owns its servlets' lifecycle (init/destroy). */
    public static List<Mapping> mappings() {
        return List.of(
                new Mapping("plaintext", "/plaintext", new PlaintextServlet()),
                new Mapping("json", "/json", new JsonServlet()),
                new Mapping("sleep", "/sleep", new SleepServlet()),
                new Mapping("download", "/download", new DownloadServlet()),
                new Mapping("upload", "/upload", new UploadEchoServlet()));
    }

    /** Threads that run servlets, the same everywhere it applies. */
    public static int workers() {
        return Integer.getInteger("bench.workers", 200);
    }
}
