package io.servletbridge.benchmarks.soak;

import io.servletbridge.BridgeServer;
import io.servletbridge.Loop;
import io.servletbridge.ServletBridge;
import io.servletbridge.benchmarks.servers.ServerMain;
import io.servletbridge.benchmarks.servlets.BenchApp;
import java.util.Locale;

/**
 * The server side of {@link Soak}, run in a JVM of its own: the benchmark application plus {@code /async}, on the
 * loop named by {@code -Dsoak.loop}, alive until the soak driver goes.
 */
public final class SoakServer {
    private SoakServer() {
    }

    public static void main(String[] args) {
        Loop loop = Loop.valueOf(System.getProperty("soak.loop", "netty").toUpperCase(Locale.ROOT));
        ServletBridge.Builder b = ServletBridge.builder()
                .loop(loop)
                .host("127.0.0.1")
                .port(0)
                .ioThreads(ServerMain.ioThreads())
                .workers(BenchApp.workers(), 1000)
                .displayName("soak-" + loop);
        for (BenchApp.Mapping m : BenchApp.mappings()) {
            b.servlet(m.name(), m.servlet(), m.path());
        }
        b.configure(ctx -> {
            var r = ctx.addServlet("async", new AsyncTaskServlet());
            r.addMapping("/async");
            r.setAsyncSupported(true);
        });
        BridgeServer server = b.start();
        ServerMain.serveUntilDriverGoes(server.port());
    }
}
