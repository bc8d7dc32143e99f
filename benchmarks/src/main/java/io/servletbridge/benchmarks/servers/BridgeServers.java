package io.servletbridge.benchmarks.servers;

import io.servletbridge.BridgeServer;
import io.servletbridge.Loop;
import io.servletbridge.ServletBridge;
import io.servletbridge.benchmarks.servlets.BenchApp;
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
        return offload.apply(b).start();
    }

    /**
     * Queue sized to the largest connection count the driver uses, so that the blocking workload measures queueing
     * rather than 503s from a full pool.
     */
    static int queue() {
        return Integer.getInteger("bench.queue", 1000);
    }
}
