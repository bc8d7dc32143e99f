package io.servletbridge.benchmarks.servers;

import io.servletbridge.Loop;

/** The bridge on undertow-core running each request on a virtual thread (JDK 21+). */
public final class BridgeUndertowVirtualServer {
    private BridgeUndertowVirtualServer() {
    }

    public static void main(String[] args) {
        BridgeServers.serveOnVirtualThreads(Loop.UNDERTOW);
    }
}
