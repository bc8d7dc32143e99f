package io.servletbridge.benchmarks.servers;

import io.servletbridge.BridgeServer;
import io.servletbridge.Loop;
import io.servletbridge.benchmarks.servlets.BenchApp;

/** The bridge on undertow-core with a pool of platform worker threads. */
public final class BridgeUndertowServer {
    private BridgeUndertowServer() {
    }

    public static void main(String[] args) {
        BridgeServer s = BridgeServers.start(Loop.UNDERTOW, b -> b.workers(BenchApp.workers(), BridgeServers.queue()));
        ServerMain.serveUntilDriverGoes(s.port());
    }
}
