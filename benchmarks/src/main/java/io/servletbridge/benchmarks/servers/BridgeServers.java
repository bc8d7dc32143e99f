package io.servletbridge.benchmarks.servers;

import io.servletbridge.BridgeServer;
import io.servletbridge.Loop;
import io.servletbridge.ServletBridge;
import io.servletbridge.benchmarks.servlets.BenchApp;
import io.servletbridge.benchmarks.servlets.StaticSite;
import java.util.function.UnaryOperator;

final class BridgeServers {
    private BridgeServers() {
    }

    static BridgeServer start(Loop loop, UnaryOperator<ServletBridge.Builder> offload) {
        ServletBridge.Builder b = ServletBridge.builder()
                .loop(loop)
                .host("127.0.0.1")
                .port(0)
                .ioThreads(ServerMain.ioThreads())
                .displayName("bench-" + loop);
        for (BenchApp.Mapping m : BenchApp.mappings()) {
            b.servlet(m.name(), m.servlet(), m.path());
        }
        // -Dbench.copyStatic=true copies the file through the output stream instead: the A/B for sendfile.
        b.servlet("static", new io.servletbridge.servlet.StaticFileServlet(StaticSite.directory())
                .sendfile(!Boolean.getBoolean("bench.copyStatic")), "/");
        return offload.apply(b).start();
    }

    /** Each request on a virtual thread (JDK 21+). */
    static void serveOnVirtualThreads(Loop loop) {
        // The cap only guards against runaway load; the driver never has more than this many requests in flight.
        int max = Integer.getInteger("bench.maxVirtualThreads", 10_000);
        BridgeServer s = start(loop, b -> b.virtualThreads(max));
        ServerMain.serveUntilDriverGoes(s.port());
    }

    /**
     * Queue sized to the largest connection count the driver uses, so that the blocking workload measures queueing
     * rather than 503s from a full pool.
     */
    static int queue() {
        return Integer.getInteger("bench.queue", 1000);
    }
}
