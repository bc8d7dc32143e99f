package io.servletbridge.benchmarks.servlets;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** The 13-byte hello: measures per-request overhead and nothing else. */
public final class PlaintextServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Responses.send(resp, "text/plain", Payloads.HELLO);
    }
}
