package io.servletbridge.examples.demo;

import io.servletbridge.background.BackgroundTasks;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /stand-in/api}: a slow external API for the demo to call when no real one is configured. It answers
 * after the configured delay without holding any thread meanwhile: the request goes async and a timer task
 * completes it.
 */
final class StandInApiServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private final Duration delay;

    StandInApiServlet(Duration delay) {
        this.delay = delay;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
        AsyncReply reply = AsyncReply.start(req, delay.plusSeconds(10));
        BackgroundTasks.of(req).schedule("stand-in-reply", delay, () -> reply.send(HttpServletResponse.SC_OK,
                payload())).whenComplete((sent, failure) -> {
                    if (failure != null) { // rejected: the server is stopping
                        reply.send(HttpServletResponse.SC_SERVICE_UNAVAILABLE, Map.of("error", "stopping"));
                    }
                });
    }

    private Map<String, Object> payload() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("service", "stand-in");
        body.put("message", "Hello from the stand-in API");
        body.put("delay_ms", delay.toMillis());
        body.put("answered_at", Instant.now().toString());
        return body;
    }
}
