package io.servletbridge.benchmarks.servers;

import io.servletbridge.benchmarks.servlets.BenchApp;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import java.net.InetSocketAddress;

/** The ceiling on Undertow: one core HttpHandler on the IO threads, no servlet layer. */
public final class RawUndertowServer {
    private RawUndertowServer() {
    }

    public static void main(String[] args) {
        Undertow server = Undertow.builder()
                .setIoThreads(ServerMain.ioThreads())
                .setWorkerThreads(BenchApp.workers())
                // The upload echo buffers the whole body (like Netty's aggregator): allow 1 MiB plus slack.
                .setServerOption(UndertowOptions.MAX_BUFFERED_REQUEST_SIZE, 2 * 1024 * 1024)
                .setSocketOption(org.xnio.Options.BACKLOG, 4096)
                .addHttpListener(0, "127.0.0.1")
                .setHandler(new RawUndertowHandler())
                .build();
        server.start();
        InetSocketAddress address = (InetSocketAddress) server.getListenerInfo().get(0).getAddress();
        ServerMain.serveUntilDriverGoes(address.getPort());
    }
}
