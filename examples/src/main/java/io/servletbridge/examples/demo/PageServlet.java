package io.servletbridge.examples.demo;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Serves one file from the class path, read once at construction: the demo's page. The container has no static
 * file support yet, and one page needs no more than this.
 */
final class PageServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private final byte[] content;
    private final String contentType;

    PageServlet(String resource, String contentType) {
        this.contentType = contentType;
        try (InputStream in = PageServlet.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Missing class path resource " + resource);
            }
            this.content = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + resource, e);
        }
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType(contentType);
        // The page ships inside the jar; revalidating each time means a rebuilt jar is never hidden by a cache.
        resp.setHeader("Cache-Control", "no-cache");
        resp.setContentLength(content.length);
        resp.getOutputStream().write(content);
    }
}
