package io.servletbridge.examples.demo;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;

/**
 * {@code GET /api/external}: calls the external API with the JDK's non-blocking HTTP client and answers with what
 * came back. No thread waits for the API: the servlet returns after sending the call, and the client's callback
 * writes the answer.
 */
final class ExternalApiServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final int BODY_SUMMARY_CHARS = 500;

    private final transient DemoOptions options;
    private final transient HttpClient client;

    ExternalApiServlet(DemoOptions options) {
        this.options = options;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
        URI target = options.apiUrl() != null ? options.apiUrl() : standInOf(req);
        AsyncReply reply = AsyncReply.start(req, options.externalTimeout());
        long start = System.nanoTime();
        HttpRequest call = HttpRequest.newBuilder(target)
                .header("Accept", "application/json")
                // The AsyncContext's timeout answers the client (504); this one, a little later, ends the call itself
                // so an API that never answers does not keep a connection forever.
                .timeout(options.externalTimeout().plusSeconds(1))
                .GET()
                .build();
        client.sendAsync(call, HttpResponse.BodyHandlers.ofString()).whenComplete((answer, failure) -> {
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("url", target.toString());
            body.put("elapsed_ms", elapsedMs);
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                body.put("error", describe(cause));
                reply.send(cause instanceof HttpTimeoutException ? HttpServletResponse.SC_GATEWAY_TIMEOUT
                        : HttpServletResponse.SC_BAD_GATEWAY, body);
                return;
            }
            String text = answer.body();
            body.put("status", answer.statusCode());
            body.put("content_type", answer.headers().firstValue("Content-Type").orElse(null));
            body.put("chars", text.length());
            body.put("body", text.length() <= BODY_SUMMARY_CHARS ? text : text.substring(0, BODY_SUMMARY_CHARS) + "…");
            reply.send(HttpServletResponse.SC_OK, body);
        });
    }

    /** The demo's own stand-in, reached the way the client reached us (works for any bound address and port). */
    private static URI standInOf(HttpServletRequest req) {
        String host = req.getLocalAddr();
        if (host.indexOf(':') >= 0) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + req.getLocalPort() + req.getContextPath() + "/stand-in/api");
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        return t.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
    }
}
