package io.servletbridge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.servletbridge.Loop;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.OutputStreamWriter;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Filter chains (Servlet 6.1 chapter 6). */
class FilterTest {

    private static Filter tracing(String name, List<String> trace) {
        return Servlets.filter((req, resp, chain) -> {
            trace.add(name);
            chain.doFilter(req, resp);
        });
    }

    @BothLoops
    void urlPatternFiltersRunFirstInOrderThenServletNameFilters(Loop loop) {
        List<String> trace = new CopyOnWriteArrayList<>();
        try (TestServer s = TestServer.start(loop, b -> b.configure(ctx -> {
            ctx.addServlet("target", Servlets.of((req, resp) -> {
                trace.add("servlet");
                resp.getWriter().print("ok");
            })).addMapping("/t/*");
            ctx.addServlet("other", Servlets.text("other")).addMapping("/o");
            EnumSet<DispatcherType> request = EnumSet.of(DispatcherType.REQUEST);
            // Declared first, but a servlet-name mapping: runs after every URL-pattern filter (spec 6.2.4).
            ctx.addFilter("byName", tracing("byName", trace)).addMappingForServletNames(request, true, "target");
            ctx.addFilter("all", tracing("all", trace)).addMappingForUrlPatterns(request, true, "/*");
            ctx.addFilter("tOnly", tracing("tOnly", trace)).addMappingForUrlPatterns(request, true, "/t/*");
            ctx.addFilter("ext", tracing("ext", trace)).addMappingForUrlPatterns(request, true, "*.txt");
            ctx.addFilter("forwardOnly", tracing("forwardOnly", trace))
                    .addMappingForUrlPatterns(EnumSet.of(DispatcherType.FORWARD), true, "/*");
        }))) {
            assertEquals("ok", Http.get(s.uri("/t/a.txt")).body());
            assertEquals(List.of("all", "tOnly", "ext", "byName", "servlet"), trace);
            trace.clear();
            assertEquals("other", Http.get(s.uri("/o")).body());
            assertEquals(List.of("all"), trace, "only the filters that match run");
        }
    }

    @BothLoops
    void aFilterCanAnswerWithoutCallingTheServlet(Loop loop) {
        AtomicInteger servletCalls = new AtomicInteger();
        Filter guard = Servlets.filter((req, resp, chain) -> {
            if (req.getHeader("X-Token") == null) {
                resp.sendError(HttpServletResponse.SC_FORBIDDEN, "token required");
                return;
            }
            chain.doFilter(req, resp);
        });
        try (TestServer s = TestServer.start(loop, b -> b.filter("guard", guard, "/*")
                .servlet("s", Servlets.of((req, resp) -> {
                    servletCalls.incrementAndGet();
                    resp.getWriter().print("secret");
                }), "/s"))) {
            HttpResponse<String> denied = Http.get(s.uri("/s"));
            assertEquals(403, denied.statusCode());
            assertEquals(0, servletCalls.get());
            HttpResponse<String> allowed = Http.send(Http.request(s.uri("/s")).header("X-Token", "t").build());
            assertEquals(200, allowed.statusCode());
            assertEquals("secret", allowed.body());
            assertEquals(1, servletCalls.get());
        }
    }

    /** Buffers what the servlet writes so the filter can rewrite it. */
    static final class Capturing extends HttpServletResponseWrapper {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private PrintWriter writer;

        Capturing(HttpServletResponse response) {
            super(response);
        }

        @Override
        public ServletOutputStream getOutputStream() {
            return new ServletOutputStream() {
                @Override
                public void write(int b) {
                    bytes.write(b);
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setWriteListener(WriteListener listener) {
                    throw new UnsupportedOperationException();
                }
            };
        }

        @Override
        public PrintWriter getWriter() {
            if (writer == null) {
                writer = new PrintWriter(new OutputStreamWriter(bytes, StandardCharsets.UTF_8));
            }
            return writer;
        }

        @Override
        public void setContentLength(int len) {
            // the filter sets the real length
        }

        String text() {
            if (writer != null) {
                writer.flush();
            }
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    @BothLoops
    void aFilterCanWrapTheRequestAndTheResponse(Loop loop) {
        Filter upper = Servlets.filter((req, resp, chain) -> {
            Capturing capture = new Capturing(resp);
            HttpServletRequestWrapper withUser = new HttpServletRequestWrapper(req) {
                @Override
                public String getHeader(String name) {
                    return "X-User".equalsIgnoreCase(name) ? "wrapped-user" : super.getHeader(name);
                }
            };
            chain.doFilter(withUser, capture);
            byte[] out = capture.text().toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
            resp.setHeader("X-Filtered", "yes");
            resp.setContentLength(out.length);
            resp.getOutputStream().write(out);
        });
        try (TestServer s = TestServer.start(loop, b -> b.filter("upper", upper, "/*")
                .servlet("s", Servlets.of((req, resp) -> {
                    resp.setContentType("text/plain;charset=UTF-8");
                    resp.getWriter().print("hello " + req.getHeader("X-User"));
                }), "/s"))) {
            HttpResponse<String> r = Http.get(s.uri("/s"));
            assertEquals(200, r.statusCode());
            assertEquals("HELLO WRAPPED-USER", r.body());
            assertEquals("yes", r.headers().firstValue("X-Filtered").orElse(null));
            assertEquals(String.valueOf("HELLO WRAPPED-USER".length()),
                    r.headers().firstValue("Content-Length").orElse(null));
        }
    }
}
