package io.servletbridge.benchmarks.servers;

import io.servletbridge.BridgeServer;
import io.servletbridge.Loop;
import io.servletbridge.benchmarks.servlets.BenchApp;

/** The bridge on Netty with a pool of platform worker threads. */
public final class BridgeNettyServer {
    private BridgeNettyServer() {
    }

    public static void main(String[] args) {
        BridgeServer s = BridgeServers.start(Loop.NETTY, b -> b.workers(BenchApp.workers(), BridgeServers.queue()));
        ServerMain.serveUntilDriverGoes(s.port());
    }
}
