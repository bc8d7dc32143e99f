package io.servletbridge.tests.demo;

import io.servletbridge.BridgeServer;
import io.servletbridge.Loop;
import io.servletbridge.examples.demo.DemoOptions;
import io.servletbridge.examples.demo.DemoServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The demo app on a free port, with a JDK HTTP client aimed at it. Closing stops it with a short grace period, so
 * a job a test left running is interrupted rather than waited for.
 */
final class RunningDemo implements AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final BridgeServer server;

    private RunningDemo(BridgeServer server) {
        this.server = server;
    }

    static RunningDemo start(Loop loop, DemoOptions options) {
        return new RunningDemo(DemoServer.start(loop, 0, options));
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20)).GET().build());
    }

    HttpResponse<String> post(String path) {
        return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(Duration.ofSeconds(1));
    }
}
