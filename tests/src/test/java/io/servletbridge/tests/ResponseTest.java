package io.servletbridge.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.servletbridge.Loop;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServlet;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The response object (Servlet 6.1 chapter 5) as a client sees it on the wire. */
class ResponseTest {
    private final Map<String, String> seen = new ConcurrentHashMap<>();

    private void see(String key, Object value) {
        seen.put(key, String.valueOf(value));
    }

    private static RawHttp.Response get(TestServer server, String target) {
        try (RawHttp c = server.raw()) {
            c.get(target);
            return c.readFinal();
        }
    }

    @BothLoops
    void statusAndHeaders(Loop loop) {
        HttpServlet s = Servlets.of((req, resp) -> {
            resp.setStatus(201);
            resp.setHeader("X-A", "1");
            resp.setHeader("X-A", "2");
            resp.addHeader("X-B", "b1");
            resp.addHeader("x-b", "b2");
            resp.setIntHeader("X-Int", 7);
            resp.setDateHeader("Last-Modified", 784111777000L);
            resp.addHeader("X-Gone", "g");
            resp.setHeader("X-Gone", null);
            see("contains", resp.containsHeader("x-a"));
            see("containsGone", resp.containsHeader("X-Gone"));
            see("headers", resp.getHeaders("X-B"));
            see("header", resp.getHeader("x-a"));
            see("status", resp.getStatus());
            resp.getWriter().print("created");
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s"))) {
            RawHttp.Response r = get(server, "/s");
            assertEquals(201, r.status());
            assertEquals(List.of("2"), r.headers("X-A"));
            assertEquals(List.of("b1", "b2"), r.headers("X-B"));
            assertEquals(List.of("7"), r.headers("X-Int"));
            assertEquals("Sun, 06 Nov 1994 08:49:37 GMT", r.header("Last-Modified"));
            assertTrue(r.headers("X-Gone").isEmpty(), "setHeader(name, null) removes it");
            assertNotNull(r.header("Date"), "an origin server with a clock sends Date (RFC 9110 6.6.1)");
            assertEquals("created", r.bodyText());
            assertEquals("true", seen.get("contains"));
            assertEquals("false", seen.get("containsGone"));
            assertEquals("[b1, b2]", seen.get("headers"));
            assertEquals("2", seen.get("header"));
            assertEquals("201", seen.get("status"));
        }
    }

    @BothLoops
    void headerValuesCannotInjectHeaders(Loop loop) {
        HttpServlet s = Servlets.of((req, resp) -> {
            List<String> refused = new ArrayList<>();
            try {
                resp.setHeader("X-Evil", "a\r\nSet-Cookie: pwned=1");
            } catch (IllegalArgumentException e) {
                refused.add("setHeader");
            }
            try {
                resp.addHeader("X-Evil2", "b\nX-Injected: 1");
            } catch (IllegalArgumentException e) {
                refused.add("addHeader");
            }
            try {
                resp.setHeader("X-Evil3", "c\r\n\r\n<html>smuggled");
            } catch (IllegalArgumentException e) {
                refused.add("body");
            }
            see("refused", refused);
            resp.getWriter().print("safe");
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s"))) {
            RawHttp.Response r = get(server, "/s");
            assertEquals(200, r.status(), r.toString());
            assertTrue(r.headers("Set-Cookie").isEmpty(), r.toString());
            assertTrue(r.headers("X-Injected").isEmpty(), r.toString());
            for (String line : r.headerLines()) {
                assertFalse(line.contains("smuggled") && !line.startsWith("X-Evil3"), line);
            }
            assertEquals("safe", r.bodyText(), "nothing was smuggled into the body");
        }
    }

    @BothLoops
    void cookiesAreSentWithEveryAttribute(Loop loop) {
        HttpServlet s = Servlets.of((req, resp) -> {
            Cookie c = new Cookie("sid", "abc123");
            c.setMaxAge(3600);
            c.setPath("/p");
            c.setDomain("example.test");
            c.setSecure(true);
            c.setHttpOnly(true);
            c.setAttribute("SameSite", "Strict");
            resp.addCookie(c);
            Cookie gone = new Cookie("old", "");
            gone.setMaxAge(0);
            resp.addCookie(gone);
            resp.getWriter().print("ok");
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s"))) {
            RawHttp.Response r = get(server, "/s");
            List<String> cookies = r.headers("Set-Cookie");
            assertEquals(2, cookies.size(), "one Set-Cookie field per cookie: " + cookies);
            List<String> sid = attributes(cookies.get(0));
            assertEquals("sid=abc123", sid.get(0));
            assertTrue(sid.contains("max-age=3600"), sid.toString());
            assertTrue(sid.contains("path=/p"), sid.toString());
            assertTrue(sid.contains("domain=example.test"), sid.toString());
            assertTrue(sid.contains("secure"), sid.toString());
            assertTrue(sid.contains("httponly"), sid.toString());
            assertTrue(sid.contains("samesite=strict"), sid.toString());
            List<String> old = attributes(cookies.get(1));
            assertEquals("old=", old.get(0));
            assertTrue(old.contains("max-age=0"), old.toString());
            assertFalse(old.contains("secure"), old.toString());
        }
    }

    /** The cookie pair as sent, then each attribute lower-cased. */
    private static List<String> attributes(String setCookie) {
        List<String> out = new ArrayList<>();
        String[] parts = setCookie.split(";");
        out.add(parts[0].trim());
        for (int i = 1; i < parts.length; i++) {
            out.add(parts[i].trim().toLowerCase(Locale.ROOT));
        }
        return out;
    }

    @BothLoops
    void sendErrorAnswersWithAnHtmlPage(Loop loop) {
        HttpServlet s = Servlets.of((req, resp) -> {
            resp.setHeader("X-Before", "kept?");
            resp.sendError(418, "short and stout");
            see("committed", resp.isCommitted());
            resp.getWriter().print("LATE-WRITE");
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s"))) {
            RawHttp.Response r = get(server, "/s");
            assertEquals(418, r.status());
            assertTrue(r.header("Content-Type").toLowerCase(Locale.ROOT).startsWith("text/html"),
                    r.header("Content-Type"));
            String body = r.bodyText();
            assertTrue(body.contains("418"), body);
            assertTrue(body.contains("short and stout"), body);
            assertFalse(body.contains("LATE-WRITE"), "writes after sendError are ignored: " + body);
            assertEquals("true", seen.get("committed"));
        }
    }

    @BothLoops
    void sendRedirectAnswers302WithLocation(Loop loop) {
        HttpServlet s = Servlets.of((req, resp) -> resp.sendRedirect(req.getParameter("to")));
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/dir/*"))) {
            URI base = server.uri("/dir/page");
            RawHttp.Response rel = get(server, "/dir/page?to=next%3Fx%3D1");
            assertEquals(302, rel.status());
            assertEquals(server.uri("/dir/next?x=1"), base.resolve(rel.header("Location")));
            RawHttp.Response abs = get(server, "/dir/page?to=/top");
            assertEquals(302, abs.status());
            assertEquals(server.uri("/top"), base.resolve(abs.header("Location")));
            RawHttp.Response ext = get(server, "/dir/page?to=http://example.test/z");
            assertEquals(302, ext.status());
            assertEquals("http://example.test/z", ext.header("Location"));
        }
    }

    @BothLoops
    void bufferControlAndCommit(Loop loop) {
        HttpServlet s = Servlets.of((req, resp) -> {
            resp.setBufferSize(16384);
            see("bufferSize", resp.getBufferSize() >= 16384);
            resp.getOutputStream().write("discarded".getBytes(StandardCharsets.US_ASCII));
            see("committedBefore", resp.isCommitted());
            see("setBufferSizeAfterWrite", outcome(() -> resp.setBufferSize(100)));
            resp.resetBuffer();
            resp.setHeader("X-Kept", "1");
            resp.getOutputStream().write("kept".getBytes(StandardCharsets.US_ASCII));
            resp.flushBuffer();
            see("committedAfter", resp.isCommitted());
            see("reset", outcome(resp::reset));
            see("resetBuffer", outcome(resp::resetBuffer));
            see("setBufferSize", outcome(() -> resp.setBufferSize(100)));
            resp.setHeader("X-Too-Late", "1");
            resp.setStatus(500);
            resp.getOutputStream().write("-more".getBytes(StandardCharsets.US_ASCII));
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s"))) {
            RawHttp.Response r = get(server, "/s");
            assertEquals(200, r.status(), "status changes after commit are ignored");
            assertEquals("kept-more", r.bodyText());
            assertEquals("1", r.header("X-Kept"));
            assertNull(r.header("X-Too-Late"), "headers after commit are ignored");
            assertEquals("true", seen.get("bufferSize"));
            assertEquals("false", seen.get("committedBefore"));
            assertEquals("ISE", seen.get("setBufferSizeAfterWrite"));
            assertEquals("true", seen.get("committedAfter"));
            assertEquals("ISE", seen.get("reset"));
            assertEquals("ISE", seen.get("resetBuffer"));
            assertEquals("ISE", seen.get("setBufferSize"));
        }
    }

    private interface Action {
        void run() throws Exception;
    }

    private static String outcome(Action a) {
        try {
            a.run();
            return "ok";
        } catch (IllegalStateException e) {
            return "ISE";
        } catch (Exception e) {
            return e.getClass().getSimpleName();
        }
    }

    @BothLoops
    void declaredContentLengthIsSent(Loop loop) {
        HttpServlet s = Servlets.of((req, resp) -> {
            resp.setContentLengthLong(5);
            see("header", resp.getHeader("Content-Length"));
            resp.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s"))) {
            RawHttp.Response r = get(server, "/s");
            assertEquals("5", r.header("Content-Length"));
            assertNull(r.header("Transfer-Encoding"));
            assertEquals("hello", r.bodyText());
            assertEquals("5", seen.get("header"));
        }
    }

    @BothLoops
    void writerAndOutputStreamExcludeEachOther(Loop loop) {
        HttpServlet s = Servlets.of((req, resp) -> {
            if ("stream".equals(req.getParameter("first"))) {
                var out = resp.getOutputStream();
                String second = outcome(resp::getWriter);
                out.write(second.getBytes(StandardCharsets.US_ASCII));
            } else {
                var w = resp.getWriter();
                w.print(outcome(resp::getOutputStream));
            }
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s"))) {
            assertEquals("ISE", get(server, "/s?first=stream").bodyText());
            assertEquals("ISE", get(server, "/s?first=writer").bodyText());
        }
    }

    @BothLoops
    void defaultCharsetIsIso88591(Loop loop) {
        HttpServlet s = Servlets.of((req, resp) -> {
            resp.setContentType("text/plain");
            see("before", resp.getCharacterEncoding());
            var w = resp.getWriter();
            resp.setCharacterEncoding("UTF-8"); // too late: no effect once the writer was obtained
            see("after", resp.getCharacterEncoding());
            w.print("é");
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s"))) {
            RawHttp.Response r = get(server, "/s");
            assertArrayEquals(new byte[] {(byte) 0xE9}, r.body());
            assertEquals("ISO-8859-1", seen.get("before").toUpperCase(Locale.ROOT));
            assertEquals("ISO-8859-1", seen.get("after").toUpperCase(Locale.ROOT));
            String ct = r.header("Content-Type").toLowerCase(Locale.ROOT).replace(" ", "");
            assertTrue(ct.startsWith("text/plain"), ct);
            assertTrue(ct.contains("charset=iso-8859-1"), "getWriter() fixes the charset it used: " + ct);
        }
    }

    @BothLoops
    void explicitCharsetIsUsedAndAnnounced(Loop loop) {
        String text = "héllo € ✓";
        HttpServlet s = Servlets.of((req, resp) -> {
            if ("type".equals(req.getParameter("via"))) {
                resp.setContentType("text/html; charset=UTF-8");
            } else {
                resp.setCharacterEncoding("UTF-8");
                resp.setContentType("text/plain");
            }
            see(req.getParameter("via"), resp.getCharacterEncoding());
            resp.getWriter().print(text);
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s"))) {
            RawHttp.Response a = get(server, "/s?via=setter");
            assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), a.body());
            String ctA = a.header("Content-Type").toLowerCase(Locale.ROOT).replace(" ", "");
            assertEquals("text/plain;charset=utf-8", ctA);
            RawHttp.Response b = get(server, "/s?via=type");
            assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), b.body());
            String ctB = b.header("Content-Type").toLowerCase(Locale.ROOT).replace(" ", "");
            assertEquals("text/html;charset=utf-8", ctB);
            assertEquals("UTF-8", seen.get("setter").toUpperCase(Locale.ROOT));
            assertEquals("UTF-8", seen.get("type").toUpperCase(Locale.ROOT));
        }
    }

    @BothLoops
    void servlet61RedirectVariants(Loop loop) {
        HttpServlet s = Servlets.of((req, resp) -> {
            resp.getWriter().print("app body");
            switch (req.getParameter("v")) {
                case "301" -> resp.sendRedirect("/moved", 301);
                case "keep" -> resp.sendRedirect("/other", 303, false);
                default -> resp.sendRedirect("/cleared", true);
            }
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s"))) {
            URI base = server.uri("/s");
            RawHttp.Response moved = get(server, "/s?v=301");
            assertEquals(301, moved.status());
            assertEquals(server.uri("/moved"), base.resolve(moved.header("Location")));
            assertFalse(moved.bodyText().contains("app body"), "the buffer is cleared by default");
            RawHttp.Response kept = get(server, "/s?v=keep");
            assertEquals(303, kept.status());
            assertEquals(server.uri("/other"), base.resolve(kept.header("Location")));
            assertEquals("app body", kept.bodyText(), "clearBuffer=false keeps what the servlet wrote");
            RawHttp.Response cleared = get(server, "/s?v=clear");
            assertEquals(302, cleared.status());
            assertFalse(cleared.bodyText().contains("app body"));
        }
    }

    @BothLoops
    void charsetObjectsAreAccepted(Loop loop) {
        HttpServlet s = Servlets.of((req, resp) -> {
            req.setCharacterEncoding(StandardCharsets.UTF_8);
            String p = req.getParameter("p");
            resp.setContentType("text/plain");
            resp.setCharacterEncoding(StandardCharsets.UTF_8);
            resp.getWriter().print(p + "|" + req.getCharacterEncoding());
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s"))) {
            var r = Http.post(server.uri("/s"), "application/x-www-form-urlencoded", "p=%C3%BC%E2%82%AC");
            assertEquals("ü€|UTF-8", r.body());
            assertEquals("text/plain;charset=utf-8",
                    r.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT).replace(" ", ""));
        }
    }
}
