package io.servletbridge.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.servletbridge.Loop;
import jakarta.servlet.ServletRequestAttributeEvent;
import jakarta.servlet.ServletRequestAttributeListener;
import jakarta.servlet.ServletRequestEvent;
import jakarta.servlet.ServletRequestListener;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServlet;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** The request object (Servlet 6.1 chapter 3) as a servlet sees what a client sent. */
class RequestTest {

    /** What the servlet saw, recorded as strings ("null" for null) for the test thread to check. */
    private final Map<String, String> seen = new ConcurrentHashMap<>();

    private void see(String key, Object value) {
        seen.put(key, String.valueOf(value));
    }

    private static String request(String head) {
        return head.replace("\n", "\r\n");
    }

    @BothLoops
    void requestLineParts(Loop loop) {
        HttpServlet s = Servlets.of((req, resp) -> {
            see("method", req.getMethod());
            see("uri", req.getRequestURI());
            see("query", req.getQueryString());
            see("url", req.getRequestURL());
            see("servletPath", req.getServletPath());
            see("pathInfo", req.getPathInfo());
            see("protocol", req.getProtocol());
            see("scheme", req.getScheme());
            see("secure", req.isSecure());
            see("serverName", req.getServerName());
            see("serverPort", req.getServerPort());
            resp.getWriter().print("ok");
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("r", s, "/r/*"));
             RawHttp c = server.raw()) {
            c.send(request("PUT /r/a%20b/c?x=1&y=%41 HTTP/1.1\nHost: 127.0.0.1:" + server.port()
                    + "\nContent-Length: 0\n\n"));
            assertEquals(200, c.readFinal().status());
            assertEquals("PUT", seen.get("method"));
            assertEquals("/r/a%20b/c", seen.get("uri"), "getRequestURI is not decoded");
            assertEquals("x=1&y=%41", seen.get("query"), "getQueryString is not decoded");
            assertEquals("http://127.0.0.1:" + server.port() + "/r/a%20b/c", seen.get("url"));
            assertEquals("/r", seen.get("servletPath"));
            assertEquals("/a b/c", seen.get("pathInfo"), "getPathInfo is decoded");
            assertEquals("HTTP/1.1", seen.get("protocol"));
            assertEquals("http", seen.get("scheme"));
            assertEquals("false", seen.get("secure"));
            assertEquals("127.0.0.1", seen.get("serverName"));
            assertEquals(String.valueOf(server.port()), seen.get("serverPort"));
        }
    }

    @BothLoops
    void dotSegmentsAreNormalizedBeforeMapping(Loop loop) {
        HttpServlet s = Servlets.of((req, resp) -> resp.getWriter()
                .print(req.getServletPath() + "|" + req.getPathInfo()));
        try (TestServer server = TestServer.start(loop, b -> b.servlet("r", s, "/r/*"));
             RawHttp c = server.raw()) {
            c.get("/r/a/../b");
            RawHttp.Response r = c.readFinal();
            assertEquals(200, r.status());
            assertEquals("/r|/b", r.bodyText());
            c.get("/x/../r/./c");
            r = c.readFinal();
            assertEquals(200, r.status());
            assertEquals("/r|/c", r.bodyText());
        }
    }

    @BothLoops
    void suspiciousOrMalformedPathsAreRejectedWith400(Loop loop) {
        AtomicInteger calls = new AtomicInteger();
        HttpServlet s = Servlets.of((req, resp) -> {
            calls.incrementAndGet();
            resp.getWriter().print("reached " + req.getPathInfo());
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("any", s, "/*"))) {
            for (String target : List.of("/a%2Fb", "/a%2fb", "/../x", "/a/../../x", "/a%zzb", "/a%2")) {
                try (RawHttp c = server.raw()) {
                    c.get(target);
                    RawHttp.Response r = c.readFinal();
                    assertEquals(400, r.status(), target + " -> " + r);
                }
            }
            assertEquals(0, calls.get(), "no rejected path reaches the application");
            assertEquals(200, Http.get(server.uri("/fine")).statusCode(), "the server still serves");
        }
    }

    @BothLoops
    void headersAreCaseInsensitiveAndRepeatedOnesKeepTheirOrder(Loop loop) {
        HttpServlet s = Servlets.of((req, resp) -> {
            see("custom", req.getHeader("x-custom"));
            see("CUSTOM", req.getHeader("X-CUSTOM"));
            see("multi", Collections.list(req.getHeaders("x-multi")));
            see("first", req.getHeader("X-Multi"));
            see("int", req.getIntHeader("X-Num"));
            see("intMissing", req.getIntHeader("X-None"));
            see("date", req.getDateHeader("If-Modified-Since"));
            see("dateMissing", req.getDateHeader("X-None"));
            see("missing", req.getHeader("X-None"));
            see("missingList", Collections.list(req.getHeaders("X-None")));
            boolean listed = false;
            for (String name : Collections.list(req.getHeaderNames())) {
                listed |= name.equalsIgnoreCase("x-custom");
            }
            see("names", listed);
            resp.getWriter().print("ok");
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("h", s, "/h"));
             RawHttp c = server.raw()) {
            c.send(request("GET /h HTTP/1.1\nHost: 127.0.0.1\nX-Custom: v1\nX-Multi: a\nx-multi: b\nX-MULTI: c\n"
                    + "X-Num: 42\nIf-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\n\n"));
            assertEquals(200, c.readFinal().status());
            assertEquals("v1", seen.get("custom"));
            assertEquals("v1", seen.get("CUSTOM"));
            assertEquals("[a, b, c]", seen.get("multi"));
            assertEquals("a", seen.get("first"));
            assertEquals("42", seen.get("int"));
            assertEquals("-1", seen.get("intMissing"));
            assertEquals("784111777000", seen.get("date"));
            assertEquals("-1", seen.get("dateMissing"));
            assertEquals("null", seen.get("missing"));
            assertEquals("[]", seen.get("missingList"));
            assertEquals("true", seen.get("names"));
        }
    }

    private HttpServlet parameterDump() {
        return Servlets.of((req, resp) -> {
            List<String> out = new ArrayList<>();
            List<String> names = Collections.list(req.getParameterNames());
            Collections.sort(names);
            for (String name : names) {
                out.add(name + "=" + Arrays.asList(req.getParameterValues(name)));
            }
            resp.setContentType("text/plain;charset=UTF-8");
            resp.getWriter().print(String.join(";", out));
        });
    }

    @BothLoops
    void queryAndFormParametersAreMergedQueryFirst(Loop loop) {
        try (TestServer server = TestServer.start(loop, b -> b.servlet("p", parameterDump(), "/p"))) {
            HttpResponse<String> r = Http.post(server.uri("/p?a=1&q=x+y&a=2&u=%C3%A9"),
                    "application/x-www-form-urlencoded; charset=UTF-8", "a=3&f=%E2%82%AC+%26&empty=&u=v");
            assertEquals(200, r.statusCode());
            assertEquals("a=[1, 2, 3];empty=[];f=[€ &];q=[x y];u=[é, v]", r.body());
        }
    }

    @BothLoops
    void parameterMapIsImmutable(Loop loop) {
        HttpServlet s = Servlets.of((req, resp) -> {
            Map<String, String[]> map = req.getParameterMap();
            try {
                map.put("b", new String[] {"x"});
                see("put", "allowed");
            } catch (UnsupportedOperationException | IllegalStateException expected) {
                see("put", "refused");
            }
            see("a", String.join(",", req.getParameterValues("a")));
            see("b", req.getParameter("b"));
            resp.getWriter().print("ok");
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("p", s, "/p"))) {
            assertEquals(200, Http.get(server.uri("/p?a=1")).statusCode());
            assertEquals("refused", seen.get("put"));
            assertEquals("1", seen.get("a"));
            assertEquals("null", seen.get("b"));
        }
    }

    @BothLoops
    void aFormBodyLargerThanTheLimitIsRefusedWith400(Loop loop) {
        try (TestServer server = TestServer.start(loop, b -> b.maxFormContentSize(1000)
                .servlet("p", parameterDump(), "/p"))) {
            String big = "a=" + "x".repeat(5000);
            HttpResponse<String> r = Http.post(server.uri("/p"), "application/x-www-form-urlencoded", big);
            assertEquals(400, r.statusCode(), r.body());
            HttpResponse<String> ok = Http.post(server.uri("/p"), "application/x-www-form-urlencoded", "a=1");
            assertEquals(200, ok.statusCode());
            assertEquals("a=[1]", ok.body());
        }
    }

    @BothLoops
    void moreParametersThanTheLimitAreRefusedWith400(Loop loop) {
        try (TestServer server = TestServer.start(loop, b -> b.maxParameterCount(10)
                .servlet("p", parameterDump(), "/p"))) {
            StringBuilder q = new StringBuilder("p0=0");
            for (int i = 1; i < 20; i++) {
                q.append("&p").append(i).append('=').append(i);
            }
            assertEquals(400, Http.get(server.uri("/p?" + q)).statusCode());
            assertEquals(400, Http.post(server.uri("/p?a=1"), "application/x-www-form-urlencoded", q.toString())
                    .statusCode(), "query and form together count");
            assertEquals("a=[1]", Http.get(server.uri("/p?a=1")).body());
        }
    }

    @BothLoops
    void malformedFormEncodingIsRefusedWith400(Loop loop) {
        try (TestServer server = TestServer.start(loop, b -> b.servlet("p", parameterDump(), "/p"))) {
            assertEquals(400, Http.post(server.uri("/p"), "application/x-www-form-urlencoded", "a=%zz").statusCode());
            assertEquals(400, Http.post(server.uri("/p"), "application/x-www-form-urlencoded", "a=%4").statusCode());
            assertEquals("a=[b]", Http.post(server.uri("/p"), "application/x-www-form-urlencoded", "a=b").body());
        }
    }

    @BothLoops
    void cookiesAreParsed(Loop loop) {
        HttpServlet s = Servlets.of((req, resp) -> {
            List<String> out = new ArrayList<>();
            Cookie[] cookies = req.getCookies();
            if (cookies != null) {
                for (Cookie c : cookies) {
                    out.add(c.getName() + "=" + c.getValue());
                }
            }
            resp.getWriter().print(String.join(";", out));
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("c", s, "/c"));
             RawHttp c = server.raw()) {
            c.send(request("GET /c HTTP/1.1\nHost: 127.0.0.1\nCookie: a=1; session=abc-DEF\nCookie: b=\"quoted\"\n\n"));
            RawHttp.Response r = c.readFinal();
            assertEquals(200, r.status());
            assertTrue(r.bodyText().startsWith("a=1;session=abc-DEF;b="), r.bodyText());
            c.get("/c");
            assertEquals("", c.readFinal().bodyText(), "no Cookie header: no cookies");
        }
    }

    @BothLoops
    void addressesAndPorts(Loop loop) {
        HttpServlet s = Servlets.of((req, resp) -> {
            see("remoteAddr", req.getRemoteAddr());
            see("remotePort", req.getRemotePort());
            see("localAddr", req.getLocalAddr());
            see("localPort", req.getLocalPort());
            resp.getWriter().print("ok");
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("a", s, "/a"));
             RawHttp c = server.raw()) {
            c.get("/a");
            assertEquals(200, c.readFinal().status());
            assertEquals("127.0.0.1", seen.get("remoteAddr"));
            assertEquals(String.valueOf(c.localPort()), seen.get("remotePort"));
            assertEquals("127.0.0.1", seen.get("localAddr"));
            assertEquals(String.valueOf(server.port()), seen.get("localPort"));
        }
    }

    @BothLoops
    void attributesNotifyRequestAttributeListeners(Loop loop) {
        List<String> events = new CopyOnWriteArrayList<>();
        ServletRequestAttributeListener listener = new ServletRequestAttributeListener() {
            @Override
            public void attributeAdded(ServletRequestAttributeEvent e) {
                events.add("added " + e.getName() + "=" + e.getValue());
            }

            @Override
            public void attributeReplaced(ServletRequestAttributeEvent e) {
                events.add("replaced " + e.getName() + "=" + e.getValue());
            }

            @Override
            public void attributeRemoved(ServletRequestAttributeEvent e) {
                events.add("removed " + e.getName() + "=" + e.getValue());
            }
        };
        HttpServlet s = Servlets.of((req, resp) -> {
            req.setAttribute("k", "v1");
            req.setAttribute("k", "v2");
            see("get", req.getAttribute("k"));
            req.removeAttribute("k");
            see("afterRemove", req.getAttribute("k"));
            req.setAttribute("n", null); // same as removeAttribute of an absent name: no event
            resp.getWriter().print("ok");
        });
        try (TestServer server = TestServer.start(loop, b -> b.listener(listener).servlet("a", s, "/a"))) {
            assertEquals(200, Http.get(server.uri("/a")).statusCode());
            assertEquals("v2", seen.get("get"));
            assertEquals("null", seen.get("afterRemove"));
            // A replaced event carries the old value (ServletRequestAttributeEvent#getValue).
            assertEquals(List.of("added k=v1", "replaced k=v1", "removed k=v2"), events);
        }
    }

    @BothLoops
    void inputStreamAndReaderExcludeEachOther(Loop loop) {
        HttpServlet s = Servlets.of((req, resp) -> {
            String outcome;
            if (req.getParameter("first").equals("stream")) {
                req.getInputStream();
                try {
                    req.getReader();
                    outcome = "both allowed";
                } catch (IllegalStateException expected) {
                    outcome = "ISE";
                }
            } else {
                req.getReader();
                try {
                    req.getInputStream();
                    outcome = "both allowed";
                } catch (IllegalStateException expected) {
                    outcome = "ISE";
                }
            }
            resp.getWriter().print(outcome);
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("x", s, "/x"))) {
            assertEquals("ISE", Http.post(server.uri("/x?first=stream"), "text/plain", "body").body());
            assertEquals("ISE", Http.post(server.uri("/x?first=reader"), "text/plain", "body").body());
        }
    }

    @BothLoops
    void requestListenersAreToldOncePerRequest(Loop loop) {
        AtomicInteger initialized = new AtomicInteger();
        AtomicInteger destroyed = new AtomicInteger();
        List<String> uris = new CopyOnWriteArrayList<>();
        ServletRequestListener listener = new ServletRequestListener() {
            @Override
            public void requestInitialized(ServletRequestEvent sre) {
                initialized.incrementAndGet();
                uris.add(((jakarta.servlet.http.HttpServletRequest) sre.getServletRequest()).getRequestURI());
            }

            @Override
            public void requestDestroyed(ServletRequestEvent sre) {
                destroyed.incrementAndGet();
            }
        };
        try (TestServer server = TestServer.start(loop, b -> b.listener(listener)
                .servlet("x", Servlets.text("ok"), "/x"))) {
            assertEquals("ok", Http.get(server.uri("/x?n=1")).body());
            assertEquals("ok", Http.get(server.uri("/x?n=2")).body());
            await().atMost(Duration.ofSeconds(5)).until(() -> destroyed.get() == 2);
            assertEquals(2, initialized.get());
            assertEquals(List.of("/x", "/x"), uris);
        }
    }

    @BothLoops
    void requestBodyIsReadableAsText(Loop loop) {
        HttpServlet s = Servlets.of((req, resp) -> {
            see("encoding", req.getCharacterEncoding());
            see("contentType", req.getContentType());
            see("length", req.getContentLengthLong());
            StringBuilder sb = new StringBuilder();
            char[] buf = new char[64];
            var reader = req.getReader();
            for (int n; (n = reader.read(buf)) >= 0; ) {
                sb.append(buf, 0, n);
            }
            resp.setContentType("text/plain;charset=UTF-8");
            resp.getWriter().print(sb);
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("x", s, "/x"))) {
            HttpResponse<String> r = Http.post(server.uri("/x"), "text/plain; charset=UTF-8", "grüße €");
            assertEquals("grüße €", r.body());
            assertNotNull(seen.get("encoding"));
            assertTrue(seen.get("encoding").equalsIgnoreCase("UTF-8"), seen.get("encoding"));
            assertEquals("text/plain; charset=UTF-8", seen.get("contentType"));
            assertEquals(String.valueOf("grüße €".getBytes(java.nio.charset.StandardCharsets.UTF_8).length),
                    seen.get("length"));
        }
    }

    @BothLoops
    void serverNameAndPortComeFromTheHostHeader(Loop loop) {
        HttpServlet s = Servlets.of((req, resp) -> resp.getWriter().print(req.getServerName() + "|"
                + req.getServerPort() + "|" + req.getRequestURL() + "|" + req.getLocalPort()));
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s"));
             RawHttp c = server.raw()) {
            c.send(request("GET /s?q=1 HTTP/1.1\nHost: example.test:8081\n\n"));
            assertEquals("example.test|8081|http://example.test:8081/s|" + server.port(), c.readFinal().bodyText());
            c.send(request("GET /s HTTP/1.1\nHost: example.test\n\n"));
            assertEquals("example.test|80|http://example.test/s|" + server.port(), c.readFinal().bodyText());
        }
    }

    @BothLoops
    void requestDestroyedIsToldEvenWhenTheServletThrows(Loop loop) {
        AtomicInteger destroyed = new AtomicInteger();
        ServletRequestListener listener = new ServletRequestListener() {
            @Override
            public void requestDestroyed(ServletRequestEvent sre) {
                destroyed.incrementAndGet();
            }
        };
        try (TestServer server = TestServer.start(loop, b -> b.listener(listener)
                .servlet("s", Servlets.of((req, resp) -> {
                    throw new IllegalStateException("boom");
                }), "/s"))) {
            assertEquals(500, Http.get(server.uri("/s")).statusCode());
            await().atMost(Duration.ofSeconds(5)).until(() -> destroyed.get() == 1);
        }
    }

    @BothLoops
    void bodyStreamStateIsReported(Loop loop) {
        HttpServlet s = Servlets.of((req, resp) -> {
            var in = req.getInputStream();
            byte[] all = in.readAllBytes();
            resp.getWriter().print(req.getContentLength() + "|" + all.length + "|" + in.isFinished() + "|"
                    + in.read() + "|" + in.read());
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s"));
             RawHttp c = server.raw()) {
            c.send(request("POST /s HTTP/1.1\nHost: x\nContent-Length: 3\n\nabc"));
            assertEquals("3|3|true|-1|-1", c.readFinal().bodyText());
            c.send("POST /s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
            assertEquals("-1|3|true|-1|-1", c.readFinal().bodyText(), "a chunked body has no known length");
        }
    }
}
