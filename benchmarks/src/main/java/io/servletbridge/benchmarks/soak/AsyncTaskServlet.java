package io.servletbridge.benchmarks.soak;

import io.servletbridge.background.BackgroundTasks;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * {@code GET /async?ms=N}: parks the request (no thread held) and lets a background task scheduled on the loop's
 * timer complete it after {@code N} ms, as an application waiting on a remote call would.
 */
final class AsyncTaskServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    static final byte[] BODY = "async done".getBytes(StandardCharsets.US_ASCII);

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
        long ms = Math.min(5_000, Math.max(0, parse(req.getParameter("ms"))));
        AsyncContext async = req.startAsync();
        async.setTimeout(ms + 30_000);
        BackgroundTasks.of(req).schedule("soak-async", Duration.ofMillis(ms), () -> {
            reply(async, HttpServletResponse.SC_OK);
            return null;
        }).whenComplete((ignored, failure) -> {
            if (failure != null) { // rejected: the server is stopping
                reply(async, HttpServletResponse.SC_SERVICE_UNAVAILABLE);
            }
        });
    }

    private static void reply(AsyncContext async, int status) {
        try {
            HttpServletResponse resp = (HttpServletResponse) async.getResponse();
            resp.setStatus(status);
            resp.setContentType("text/plain");
            resp.setContentLength(BODY.length);
            resp.getOutputStream().write(BODY);
        } catch (IOException | IllegalStateException clientGone) {
            // the client aborted while parked: nothing to answer
        } finally {
            try {
                async.complete();
            } catch (IllegalStateException alreadyOver) {
                // the exchange ended with the client
            }
        }
    }

    private static long parse(String ms) {
        try {
            return ms == null ? 20 : Long.parseLong(ms);
        } catch (NumberFormatException e) {
            return 20;
        }
    }
}
