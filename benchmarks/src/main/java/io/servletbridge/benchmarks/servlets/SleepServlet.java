package io.servletbridge.benchmarks.servlets;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Stands for a handler blocked on a database or a remote call: with 200 workers the ceiling is 200 / 20 ms =
 * 10,000 requests/s, so the workload shows how each server queues the rest of 1,000 connections.
 */
public final class SleepServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        try {
            Thread.sleep(Payloads.SLEEP_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            resp.sendError(503);
            return;
        }
        Responses.send(resp, "text/plain", Payloads.HELLO);
    }
}
