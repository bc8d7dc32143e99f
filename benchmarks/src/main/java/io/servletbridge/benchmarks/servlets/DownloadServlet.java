package io.servletbridge.benchmarks.servlets;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** 1 MiB written in 16 KiB pieces, larger than any response buffer, so every server really streams it. */
public final class DownloadServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("application/octet-stream");
        resp.setContentLength(Payloads.DOWNLOAD.length);
        ServletOutputStream out = resp.getOutputStream();
        for (int off = 0; off < Payloads.DOWNLOAD.length; off += Payloads.CHUNK) {
            out.write(Payloads.DOWNLOAD, off, Math.min(Payloads.CHUNK, Payloads.DOWNLOAD.length - off));
        }
    }
}
