package io.servletbridge.benchmarks.servers;

import io.servletbridge.Loop;

/** The bridge on Netty running each request on a virtual thread (JDK 21+). */
public final class BridgeNettyVirtualServer {
    private BridgeNettyVirtualServer() {
    }

    public static void main(String[] args) {
        BridgeServers.serveOnVirtualThreads(Loop.NETTY);
    }
}
