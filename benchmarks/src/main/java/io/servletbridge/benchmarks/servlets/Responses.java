package io.servletbridge.benchmarks.servlets;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

final class Responses {
    private Responses() {
    }

    /** Declares the length so every server can answer with Content-Length rather than chunked framing. */
    static void send(HttpServletResponse resp, String contentType, byte[] body) throws IOException {
        resp.setContentType(contentType);
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }
}
