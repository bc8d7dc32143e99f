package io.servletbridge.benchmarks.servlets;

import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Echoes the body piece by piece as it arrives, so request and response stream at once and neither side is ever
 * held whole in memory.
 */
public final class UploadEchoServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("application/octet-stream");
        long length = req.getContentLengthLong();
        if (length >= 0) {
            resp.setContentLengthLong(length);
        }
        ServletInputStream in = req.getInputStream();
        ServletOutputStream out = resp.getOutputStream();
        byte[] buf = new byte[Payloads.CHUNK];
        for (int n; (n = in.read(buf)) != -1; ) {
            out.write(buf, 0, n);
        }
    }
}
