package io.servletbridge.benchmarks.servers;

import io.servletbridge.benchmarks.servlets.Payloads;
import io.servletbridge.benchmarks.servlets.StaticSite;
import io.undertow.server.handlers.resource.PathResourceManager;
import io.undertow.server.handlers.resource.ResourceHandler;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.SameThreadExecutor;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/** Answers the benchmark paths with the servlets' bytes without ever leaving the IO thread. */
final class RawUndertowHandler implements HttpHandler {
    private static final ByteBuffer DOWNLOAD = ByteBuffer.allocateDirect(Payloads.DOWNLOAD.length)
            .put(Payloads.DOWNLOAD).flip().asReadOnlyBuffer();

    private static final ResourceHandler FILES = new ResourceHandler(
            new PathResourceManager(StaticSite.directory()));

    @Override
    public void handleRequest(HttpServerExchange ex) throws Exception {
        switch (ex.getRequestPath()) {
            case "/plaintext" -> send(ex, "text/plain", ByteBuffer.wrap(Payloads.HELLO));
            case "/json" -> send(ex, "application/json", ByteBuffer.wrap(Payloads.JSON));
            // Dispatching to the same thread only keeps the exchange open past this method; the delay is a timer.
            case "/sleep" -> ex.dispatch(SameThreadExecutor.INSTANCE, () -> ex.getIoThread().executeAfter(
                    () -> send(ex, "text/plain", ByteBuffer.wrap(Payloads.HELLO)),
                    Payloads.SLEEP_MILLIS, TimeUnit.MILLISECONDS));
            case "/download" -> send(ex, "application/octet-stream", DOWNLOAD.duplicate());
            case "/upload" -> ex.getRequestReceiver().receiveFullBytes(
                    (e, body) -> send(e, "application/octet-stream", ByteBuffer.wrap(body)));
            // Undertow's own core file handler: transferFrom (sendfile) on the IO thread, no servlet layer.
            case StaticSite.PATH -> FILES.handleRequest(ex);
            default -> {
                ex.setStatusCode(404);
                ex.endExchange();
            }
        }
    }

    private static void send(HttpServerExchange ex, String type, ByteBuffer body) {
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, type);
        ex.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.remaining());
        ex.getResponseSender().send(body);
    }
}
