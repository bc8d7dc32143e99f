package io.servletbridge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.servletbridge.Loop;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** HTTP/1.x connection handling seen through a raw socket (RFC 9112, RFC 9110). */
class ProtocolTest {

    /** Echoes the request body; answers with the client's port, so tests can tell connections apart. */
    private static HttpServlet echo() {
        return Servlets.of((req, resp) -> {
            byte[] body = req.getInputStream().readAllBytes();
            resp.setHeader("X-Client-Port", String.valueOf(req.getRemotePort()));
            resp.setContentType("text/plain;charset=UTF-8");
            resp.getOutputStream().write(body);
        });
    }

    /** An HttpServlet with doGet only: HEAD comes from HttpServlet, other methods are its defaults. */
    static final class Hello extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.setContentType("text/plain;charset=UTF-8");
            resp.getWriter().print("hello world");
        }
    }

    @BothLoops
    void keepAliveServesTwoRequestsOnOneConnection(Loop loop) {
        try (TestServer server = TestServer.start(loop, b -> b.servlet("e", echo(), "/e"));
             RawHttp c = server.raw()) {
            c.send("POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\none");
            RawHttp.Response a = c.readFinal();
            c.send("POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\ntwo");
            RawHttp.Response b = c.readFinal();
            assertEquals("one", a.bodyText());
            assertEquals("two", b.bodyText());
            assertEquals(String.valueOf(c.localPort()), a.header("X-Client-Port"));
            assertEquals(a.header("X-Client-Port"), b.header("X-Client-Port"));
        }
    }

    @BothLoops
    void http10ClosesAfterTheResponseUnlessKeepAliveIsAsked(Loop loop) {
        try (TestServer server = TestServer.start(loop, b -> b.servlet("h", new Hello(), "/h"))) {
            try (RawHttp c = server.raw()) {
                c.send("GET /h HTTP/1.0\r\n\r\n");
                RawHttp.Response r = c.readFinal();
                assertEquals(200, r.status());
                assertTrue(r.statusLine().startsWith("HTTP/1."), r.statusLine());
                assertEquals("hello world", r.bodyText());
                assertNull(r.header("Transfer-Encoding"), "no chunking for an HTTP/1.0 client");
                assertTrue(c.closedByPeer(), "HTTP/1.0 without keep-alive: the server closes");
            }
            try (RawHttp c = server.raw()) {
                c.send("GET /h HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
                RawHttp.Response r = c.readFinal();
                assertEquals("hello world", r.bodyText());
                assertEquals("length", r.framing(), "a persistent HTTP/1.0 response needs a Content-Length");
                c.send("GET /h HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
                assertEquals("hello world", c.readFinal().bodyText());
            }
        }
    }

    @BothLoops
    void http11ConnectionCloseIsHonoured(Loop loop) {
        try (TestServer server = TestServer.start(loop, b -> b.servlet("h", new Hello(), "/h"));
             RawHttp c = server.raw()) {
            c.send("GET /h HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            RawHttp.Response r = c.readFinal();
            assertEquals("hello world", r.bodyText());
            assertTrue(r.header("Connection") != null && r.header("Connection").equalsIgnoreCase("close"),
                    "RFC 9112 9.6: the server says it closes: " + r);
            assertTrue(c.closedByPeer());
        }
    }

    @BothLoops
    void pipelinedRequestsAreAnsweredInOrder(Loop loop) {
        HttpServlet s = Servlets.of((req, resp) -> {
            int n = Integer.parseInt(req.getParameter("n"));
            // The first answer is the slowest to produce: big and chunked.
            String body = n == 1 ? "1".repeat(50_000) : String.valueOf(n);
            resp.getOutputStream().write(body.getBytes(StandardCharsets.US_ASCII));
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("p", s, "/p"));
             RawHttp c = server.raw()) {
            c.send("GET /p?n=1 HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "POST /p?n=2 HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody"
                    + "GET /p?n=3 HTTP/1.1\r\nHost: x\r\n\r\n");
            List<RawHttp.Response> all = c.readFinal(3);
            assertEquals("1".repeat(50_000), all.get(0).bodyText());
            assertEquals("2", all.get(1).bodyText());
            assertEquals("3", all.get(2).bodyText());
        }
    }

    @BothLoops
    void bodiesThatArriveWithTheirHeadsAreReadWholeAndInOrder(Loop loop) {
        // One write: a small body and a 20 KB one come with their heads (handed to the servlet with the request), a
        // 100 KB one is larger than the read-ahead window (read on demand), and an unread body sits between them.
        HttpServlet s = Servlets.of((req, resp) -> {
            if (req.getParameter("ignore") != null) {
                resp.getWriter().write("ignored");
                return;
            }
            byte[] body = req.getInputStream().readAllBytes();
            resp.getWriter().write(req.getParameter("n") + ":" + body.length + ":" + sum(body));
        });
        byte[] small = "abc".getBytes(StandardCharsets.US_ASCII);
        byte[] medium = pattern(20_000);
        byte[] large = pattern(100_000);
        try (TestServer server = TestServer.start(loop, b -> b.servlet("u", s, "/u"));
             RawHttp c = server.raw()) {
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            for (Object[] r : new Object[][] {{"n=1", small}, {"n=2", medium}, {"ignore=1", medium}, {"n=3", large},
                    {"n=4", small}}) {
                byte[] body = (byte[]) r[1];
                all.writeBytes(("POST /u?" + r[0] + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length
                        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                all.writeBytes(body);
            }
            c.send(all.toByteArray());
            List<RawHttp.Response> answers = c.readFinal(5);
            assertEquals("1:3:" + sum(small), answers.get(0).bodyText());
            assertEquals("2:20000:" + sum(medium), answers.get(1).bodyText());
            assertEquals("ignored", answers.get(2).bodyText());
            assertEquals("3:100000:" + sum(large), answers.get(3).bodyText());
            assertEquals("4:3:" + sum(small), answers.get(4).bodyText());
        }
    }

    private static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ('a' + (i * 7 + i / 251) % 26);
        }
        return b;
    }

    private static long sum(byte[] b) {
        long h = 0;
        for (byte x : b) {
            h = h * 31 + (x & 0xff);
        }
        return h;
    }

    @BothLoops
    void headHasTheHeadersOfGetAndNoBody(Loop loop) {
        try (TestServer server = TestServer.start(loop, b -> b.servlet("h", new Hello(), "/h"));
             RawHttp c = server.raw()) {
            c.send("HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Response head = c.readHead();
            assertEquals(200, head.status());
            assertEquals("11", head.header("Content-Length"));
            assertTrue(head.header("Content-Type").startsWith("text/plain"));
            // If any body byte had been sent, it would be read as the next status line.
            c.get("/h");
            RawHttp.Response get = c.readFinal();
            assertEquals(200, get.status());
            assertEquals("hello world", get.bodyText());
        }
    }

    @BothLoops
    void continueIsSentOnlyWhenTheServletReads(Loop loop) throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        HttpServlet s = Servlets.of((req, resp) -> {
            entered.countDown();
            Servlets.await(release);
            byte[] body = req.getInputStream().readAllBytes();
            resp.getOutputStream().write(body);
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s"));
             RawHttp c = server.raw()) {
            c.send("POST /s HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            assertTrue(entered.await(10, TimeUnit.SECONDS), "the servlet runs before the body is sent");
            assertTrue(c.silentFor(400), "no 100 Continue before the application reads");
            release.countDown();
            RawHttp.Response interim = c.read();
            assertEquals(100, interim.status(), interim.toString());
            c.send("hello");
            RawHttp.Response r = c.readFinal();
            assertEquals(200, r.status());
            assertEquals("hello", r.bodyText());
        }
    }

    @BothLoops
    void noContinueWhenTheServletAnswersWithoutReading(Loop loop) {
        HttpServlet s = Servlets.of((req, resp) -> {
            resp.setStatus(413);
            resp.getWriter().print("too big, not reading");
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s"));
             RawHttp c = server.raw()) {
            c.send("POST /s HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 1000000\r\n\r\n");
            RawHttp.Response r = c.read();
            assertEquals(413, r.status(), "the final response comes without an interim 100: " + r);
            assertEquals("too big, not reading", r.bodyText());
        }
    }

    @BothLoops
    void anUnreadSmallBodyDoesNotBreakTheNextRequest(Loop loop) {
        try (TestServer server = TestServer.start(loop, b -> b.servlet("h", Servlets.text("ignored body"), "/h")
                .servlet("e", echo(), "/e"));
             RawHttp c = server.raw()) {
            c.send("POST /h HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nGET /h HTTP");
            RawHttp.Response first = c.readFinal();
            assertEquals("ignored body", first.bodyText());
            // A small unread body is drained (LoopConfig.unreadBodyDrain), so the connection is kept.
            c.send("POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nnext");
            RawHttp.Response second = c.readFinal();
            assertEquals(200, second.status());
            assertEquals("next", second.bodyText());
        }
    }

    @BothLoops
    void chunkedRequestBodiesAreDecoded(Loop loop) {
        try (TestServer server = TestServer.start(loop, b -> b.servlet("e", echo(), "/e"));
             RawHttp c = server.raw()) {
            c.send("POST /e HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n");
            RawHttp.Response r = c.readFinal();
            assertEquals(200, r.status());
            assertEquals("hello, world", r.bodyText());
        }
    }

    @BothLoops
    void unknownMethodOnAnHttpServletIs501(Loop loop) {
        try (TestServer server = TestServer.start(loop, b -> b.servlet("h", new Hello(), "/h"));
             RawHttp c = server.raw()) {
            c.send("FOO /h HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(501, c.readFinal().status());
            c.send("POST /h HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
            assertEquals(405, c.readFinal().status(), "a known method the servlet does not implement");
        }
    }

    @BothLoops
    void anExceptionInAFilterGives500(Loop loop) {
        AtomicInteger servletCalls = new AtomicInteger();
        try (TestServer server = TestServer.start(loop, b -> b
                .filter("broken", Servlets.filter((req, resp, chain) -> {
                    throw new ServletException("filter failed");
                }), "/*")
                .servlet("s", Servlets.of((req, resp) -> servletCalls.incrementAndGet()), "/s"));
             RawHttp c = server.raw()) {
            c.get("/s");
            RawHttp.Response r = c.readFinal();
            assertEquals(500, r.status());
            assertEquals(0, servletCalls.get());
            assertFalse(r.bodyText().contains("ServletException"), r.bodyText());
        }
    }

    @BothLoops
    void malformedRequestsGet400(Loop loop) {
        AtomicInteger calls = new AtomicInteger();
        HttpServlet s = Servlets.of((req, resp) -> {
            calls.incrementAndGet();
            resp.getWriter().print("served");
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("h", s, "/*"))) {
            List<String> cases = List.of(
                    "GARBAGE\r\n\r\n",
                    "POST /h HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
                    "GET /h HTTP/1.1\r\n\r\n",
                    "GET /h HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
            List<String> expected = new java.util.ArrayList<>();
            List<String> actual = new java.util.ArrayList<>();
            for (String bad : cases) {
                try (RawHttp c = server.raw()) {
                    c.send(bad);
                    RawHttp.Response r = c.readFinalOrNull();
                    String what = bad.replace("\r\n", "|") + " -> ";
                    expected.add(what + 400);
                    actual.add(what + (r == null ? "closed without response" : r.status()));
                }
            }
            // RFC 9112 3.2: a request without Host, or with two, MUST get 400; malformed syntax gets 400 (RFC 9110).
            assertEquals(expected, actual);
            assertEquals(0, calls.get(), "no malformed request reaches the application");
        }
    }

    @BothLoops
    void aHeaderLineWithoutColonGets400(Loop loop) {
        AtomicInteger calls = new AtomicInteger();
        HttpServlet s = Servlets.of((req, resp) -> calls.incrementAndGet());
        try (TestServer server = TestServer.start(loop, b -> b.servlet("h", s, "/*"));
             RawHttp c = server.raw()) {
            c.send("GET /h HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n");
            RawHttp.Response r = c.readFinalOrNull();
            assertEquals(400, r == null ? -1 : r.status());
            assertEquals(0, calls.get(), "no malformed request reaches the application");
        }
    }

    @BothLoops
    void contentLengthWithTransferEncodingCannotSmuggleARequest(Loop loop) {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        HttpServlet s = Servlets.of((req, resp) -> {
            seen.add(req.getRequestURI());
            req.getInputStream().readAllBytes();
            resp.getWriter().print("ok");
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("h", s, "/*"));
             RawHttp c = server.raw()) {
            String smuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
            c.send("POST /first HTTP/1.1\r\nHost: x\r\nContent-Length: " + (5 + smuggled.length())
                    + "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled);
            RawHttp.Response r = c.readFinalOrNull();
            // RFC 9112 6.1: reject it, or answer by Transfer-Encoding and then close the connection.
            if (r != null && r.status() != 400) {
                assertTrue(c.closedByPeer(), "the connection must close after such a request: " + r);
            }
            assertTrue(!seen.contains("/smuggled"), "a smuggled request was served: " + seen);
        }
    }

    @BothLoops
    void oversizedRequestHeadsAreRefused(Loop loop) {
        try (TestServer server = TestServer.start(loop, b -> b.servlet("h", new Hello(), "/*"))) {
            StringBuilder many = new StringBuilder("GET /h HTTP/1.1\r\nHost: x\r\n");
            for (int i = 0; i < 150; i++) {
                many.append("X-F").append(i).append(": v\r\n");
            }
            many.append("\r\n");
            String[][] cases = {
                {"GET /h HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n", "431"},
                {many.toString(), "431"},
            };
            List<String> expected = new java.util.ArrayList<>();
            List<String> actual = new java.util.ArrayList<>();
            for (String[] c : cases) {
                try (RawHttp raw = server.raw()) {
                    raw.send(c[0]);
                    String what = c[0].substring(0, 30).replace("\r\n", " ") + "... -> ";
                    expected.add(what + c[1]);
                    actual.add(what + raw.readFinal().status());
                }
            }
            assertEquals(expected, actual, "RFC 6585 5 (431)");
            assertEquals(200, Http.get(server.uri("/h")).statusCode(), "the server still serves");
        }
    }

    @BothLoops
    void anOversizedRequestLineGets414(Loop loop) {
        try (TestServer server = TestServer.start(loop, b -> b.servlet("h", new Hello(), "/*"))) {
            try (RawHttp raw = server.raw()) {
                raw.send("GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
                assertEquals(414, raw.readFinal().status(), "RFC 9112 3");
            }
            assertEquals(200, Http.get(server.uri("/h")).statusCode(), "the server still serves");
        }
    }

    @BothLoops
    void idleConnectionsAreClosedButSlowExchangesAreNot(Loop loop) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        HttpServlet slow = Servlets.of((req, resp) -> {
            entered.countDown();
            Servlets.await(release);
            resp.getWriter().print("slow");
        });
        try (TestServer server = TestServer.start(loop, b -> b.idleTimeout(java.time.Duration.ofMillis(300))
                .servlet("slow", slow, "/slow"));
             RawHttp idle = server.raw();
             RawHttp busy = server.raw()) {
            busy.get("/slow");
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            assertTrue(idle.closedByPeer(), "a connection without a request is closed once idle");
            release.countDown();
            assertEquals("slow", busy.readFinal().bodyText(), "an exchange in progress outlives the idle timeout");
            assertTrue(busy.closedByPeer(), "and its connection closes once idle again");
        }
    }

    @BothLoops
    void aLargeUnreadBodyCostsTheConnectionNotTheResponse(Loop loop) {
        try (TestServer server = TestServer.start(loop, b -> b.servlet("h", Servlets.text("not reading"), "/h"));
             RawHttp c = server.raw()) {
            c.send("POST /h HTTP/1.1\r\nHost: x\r\nContent-Length: 104857600\r\n\r\n");
            c.send(new byte[8192]);
            RawHttp.Response r = c.readFinal();
            assertEquals(200, r.status());
            assertEquals("not reading", r.bodyText());
            // 100 MB will not be drained: the server closes instead of reading it all.
            assertTrue(c.closedByPeer(), "the connection is closed rather than draining 100 MB");
        }
    }

    @BothLoops
    void headOfALargeResponseSendsNoBody(Loop loop) {
        HttpServlet big = new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                resp.getOutputStream().write(new byte[100_000]);
            }
        };
        try (TestServer server = TestServer.start(loop, b -> b.servlet("b", big, "/b")
                .servlet("h", new Hello(), "/h"));
             RawHttp c = server.raw()) {
            c.send("HEAD /b HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Response head = c.readHead();
            assertEquals(200, head.status());
            String cl = head.header("Content-Length");
            assertTrue(cl == null || cl.equals("100000"), "Content-Length, if sent, is GET's: " + cl);
            c.get("/h");
            assertEquals("hello world", c.readFinal().bodyText(), "no body bytes followed the HEAD response");
        }
    }

    @BothLoops
    void noContinueForAnHttp10Client(Loop loop) {
        try (TestServer server = TestServer.start(loop, b -> b.servlet("e", echo(), "/e"));
             RawHttp c = server.raw()) {
            c.send("POST /e HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            assertTrue(c.silentFor(300), "nothing yet: the servlet is waiting for the body");
            c.send("hello");
            RawHttp.Response r = c.read();
            assertEquals(200, r.status(), "RFC 9110 10.1.1: never a 100 to an HTTP/1.0 client: " + r);
            assertEquals("hello", r.bodyText());
        }
    }
}
