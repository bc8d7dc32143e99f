package io.servletbridge.benchmarks.servers;

import io.servletbridge.BridgeServer;
import io.servletbridge.Loop;

/** The bridge on Netty running each request on a virtual thread (JDK 21+). */
public final class BridgeNettyVirtualServer {
    private BridgeNettyVirtualServer() {
    }

    public static void main(String[] args) {
        // The cap only guards against runaway load; the driver never has more than this many requests in flight.
        int max = Integer.getInteger("bench.maxVirtualThreads", 10_000);
        BridgeServer s = BridgeServers.start(Loop.NETTY, b -> b.virtualThreads(max));
        ServerMain.serveUntilDriverGoes(s.port());
    }
}
