package io.servletbridge.tests;

import io.servletbridge.BridgeServer;
import io.servletbridge.Loop;
import io.servletbridge.ServletBridge;
import java.net.URI;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * A started bridge on 127.0.0.1 and a free port. Use it with try-with-resources: closing stops the server with a
 * short grace period so that a test that left an exchange hanging does not stall the suite.
 */
final class TestServer implements AutoCloseable {
    private final BridgeServer server;

    private TestServer(BridgeServer server) {
        this.server = server;
    }

    static TestServer start(Loop loop, UnaryOperator<ServletBridge.Builder> setup) {
        return new TestServer(setup.apply(builder(loop)).start());
    }

    static ServletBridge.Builder builder(Loop loop) {
        return ServletBridge.builder().loop(loop).host("127.0.0.1").port(0);
    }

    int port() {
        return server.port();
    }

    BridgeServer bridge() {
        return server;
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
    }

    RawHttp raw() {
        return RawHttp.connect(port());
    }

    @Override
    public void close() {
        server.stop(Duration.ofSeconds(5));
    }
}
