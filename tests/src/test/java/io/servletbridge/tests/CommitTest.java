package io.servletbridge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.servletbridge.Loop;
import jakarta.servlet.http.HttpServlet;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** When and how a response reaches the wire: buffering, framing, and failures (Servlet 6.1 5.1, RFC 9112 6). */
class CommitTest {

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ('a' + i % 26);
        }
        return b;
    }

    @BothLoops
    void aSmallResponseGetsAContentLength(Loop loop) {
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", Servlets.text("hello"), "/s"));
             RawHttp c = server.raw()) {
            c.get("/s");
            RawHttp.Response r = c.readFinal();
            assertEquals(200, r.status());
            assertEquals("5", r.header("Content-Length"), r.toString());
            assertNull(r.header("Transfer-Encoding"));
            assertEquals("hello", r.bodyText());
        }
    }

    @BothLoops
    void aResponseLargerThanTheBufferIsChunked(Loop loop) {
        byte[] body = bytes(100_000);
        HttpServlet s = Servlets.of((req, resp) -> resp.getOutputStream().write(body));
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s"));
             RawHttp c = server.raw()) {
            c.get("/s");
            RawHttp.Response r = c.readFinal();
            assertEquals(200, r.status());
            assertEquals("chunked", r.framing(), r.toString());
            assertNull(r.header("Content-Length"), "never both Content-Length and chunked (RFC 9112 6.3)");
            assertTrue(r.complete());
            assertTrue(Arrays.equals(body, r.body()), "body intact");
            c.get("/s");
            assertEquals(100_000, c.readFinal().body().length, "the connection is reusable after a chunked body");
        }
    }

    @BothLoops
    void nothingIsSentBeforeTheBufferFillsOrTheServletEnds(Loop loop) throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        HttpServlet s = Servlets.of((req, resp) -> {
            resp.setHeader("X-Early", "1");
            resp.getOutputStream().write("0123456789".getBytes(StandardCharsets.US_ASCII));
            entered.countDown();
            Servlets.await(release);
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s"));
             RawHttp c = server.raw()) {
            c.get("/s");
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            assertTrue(c.silentFor(500), "a response still in the buffer must not be committed");
            release.countDown();
            RawHttp.Response r = c.readFinal();
            assertEquals(200, r.status());
            assertEquals("10", r.header("Content-Length"));
            assertEquals("0123456789", r.bodyText());
        }
    }

    @BothLoops
    void flushBufferCommitsAtOnce(Loop loop) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        HttpServlet s = Servlets.of((req, resp) -> {
            resp.getOutputStream().write("first-".getBytes(StandardCharsets.US_ASCII));
            resp.flushBuffer();
            Servlets.await(release);
            resp.getOutputStream().write("second".getBytes(StandardCharsets.US_ASCII));
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s"));
             RawHttp c = server.raw()) {
            c.get("/s");
            // The head and the first bytes arrive while the servlet is still parked.
            byte[] buf = new byte[4096];
            StringBuilder got = new StringBuilder();
            while (!got.toString().contains("first-")) {
                int n = c.readSome(buf);
                assertTrue(n > 0, "connection ended early: " + got);
                got.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            }
            assertTrue(got.toString().startsWith("HTTP/1.1 200"), got.toString());
            assertTrue(got.toString().toLowerCase().contains("transfer-encoding: chunked"), got.toString());
            release.countDown();
            byte[] rest = c.readSomeUntil("0\r\n\r\n");
            assertTrue(new String(rest, StandardCharsets.ISO_8859_1).contains("second"));
        }
    }

    @BothLoops
    void anExceptionBeforeCommitGives500WithoutStackTrace(Loop loop) {
        HttpServlet s = Servlets.of((req, resp) -> {
            resp.setHeader("X-Partial", "yes");
            resp.getWriter().print("partial output");
            throw new IllegalStateException("internal-detail-42");
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s"));
             RawHttp c = server.raw()) {
            c.get("/s");
            RawHttp.Response r = c.readFinal();
            assertEquals(500, r.status());
            String body = r.bodyText();
            assertFalse(body.contains("partial output"), "the buffer is discarded: " + body);
            assertFalse(body.contains("\tat ") || body.contains("at io.servletbridge"), "no stack trace: " + body);
            assertFalse(body.contains("IllegalStateException"), "no exception class: " + body);
            assertTrue(r.complete());
            c.get("/s");
            assertEquals(500, c.readFinal().status(), "the connection survives a 500");
        }
    }

    @BothLoops
    void anExceptionAfterCommitTruncatesAChunkedResponse(Loop loop) {
        HttpServlet s = Servlets.of((req, resp) -> {
            resp.getOutputStream().write(bytes(20_000));
            resp.flushBuffer();
            throw new IllegalStateException("too late to tell");
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s"));
             RawHttp c = server.raw()) {
            c.get("/s");
            RawHttp.Response r = c.readFinal();
            assertEquals(200, r.status());
            assertEquals("chunked", r.framing());
            assertFalse(r.complete(), "no terminating chunk: the client must see the failure " + r);
            assertTrue(c.closedByPeer());
        }
    }

    @BothLoops
    void anExceptionAfterCommitTruncatesAContentLengthResponse(Loop loop) {
        HttpServlet s = Servlets.of((req, resp) -> {
            resp.setContentLength(20_000);
            resp.getOutputStream().write(bytes(10_000));
            resp.flushBuffer();
            throw new IllegalStateException("too late to tell");
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s"));
             RawHttp c = server.raw()) {
            c.get("/s");
            RawHttp.Response r = c.readFinal();
            assertEquals(200, r.status());
            assertEquals("20000", r.header("Content-Length"));
            assertFalse(r.complete(), r.toString());
            assertTrue(r.body().length < 20_000);
        }
    }

    @BothLoops
    void writingLessThanTheDeclaredLengthAbortsTheConnection(Loop loop) {
        HttpServlet s = Servlets.of((req, resp) -> {
            resp.setContentLength(100);
            resp.getOutputStream().write(bytes(10));
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s")
                .servlet("ok", Servlets.text("ok"), "/ok"));
             RawHttp c = server.raw()) {
            c.get("/s");
            // Either nothing at all (aborted before the head) or a truncated body; never a response that looks
            // complete, and never a client left waiting for 90 bytes that will not come.
            RawHttp.Response r = c.readFinalOrNull();
            if (r != null) {
                assertEquals("100", r.header("Content-Length"));
                assertFalse(r.complete(), "the client must not wait forever for 90 missing bytes: " + r);
                assertTrue(r.body().length <= 10, r.toString());
            }
            assertTrue(c.closedByPeer(), "the connection is closed");
            assertEquals("ok", Http.get(server.uri("/ok")).body(), "the server still serves");
        }
    }

    @BothLoops
    void writingMoreThanTheDeclaredLengthSendsExactlyTheDeclaredBytes(Loop loop) {
        HttpServlet s = Servlets.of((req, resp) -> {
            resp.setContentLength(5);
            var out = resp.getOutputStream();
            out.write("hello".getBytes(StandardCharsets.US_ASCII));
            out.write(" world, and more".getBytes(StandardCharsets.US_ASCII));
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s"));
             RawHttp c = server.raw()) {
            // Two pipelined requests: stray bytes from the first would corrupt the second response.
            c.send("GET /s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            RawHttp.Response first = c.readFinal();
            assertEquals("5", first.header("Content-Length"));
            assertEquals("hello", first.bodyText());
            // Closing after the first response is allowed; stray bytes are not.
            if (!c.peekEof()) {
                RawHttp.Response second = c.readFinal();
                assertEquals(200, second.status());
                assertEquals("hello", second.bodyText());
            }
        }
    }

    @BothLoops
    void closingTheOutputStreamCompletesTheResponseBeforeTheServletReturns(Loop loop) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        HttpServlet s = Servlets.of((req, resp) -> {
            var out = resp.getOutputStream();
            out.write("done".getBytes(StandardCharsets.US_ASCII));
            out.close();
            Servlets.await(release);
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s"));
             RawHttp c = server.raw()) {
            c.get("/s");
            try {
                RawHttp.Response r = c.readFinal();
                assertEquals(200, r.status());
                assertEquals("done", r.bodyText(), "Servlet 6.1 5.6: close() completes the response");
                assertTrue(r.complete());
            } finally {
                release.countDown();
            }
        }
    }

    @BothLoops
    void aServletThatWritesNothingAnswers200WithAnEmptyBody(Loop loop) {
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", Servlets.of((req, resp) -> { }), "/s"));
             RawHttp c = server.raw()) {
            c.get("/s");
            RawHttp.Response r = c.readFinal();
            assertEquals(200, r.status());
            assertEquals("0", r.header("Content-Length"), r.toString());
            assertEquals(0, r.body().length);
        }
    }

    @BothLoops
    void noContentAndNotModifiedHaveNoBodyFraming(Loop loop) {
        HttpServlet s = Servlets.of((req, resp) -> resp.setStatus(Integer.parseInt(req.getParameter("s"))));
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s"));
             RawHttp c = server.raw()) {
            c.get("/s?s=204");
            RawHttp.Response r = c.readFinal();
            assertEquals(204, r.status());
            assertNull(r.header("Content-Length"), "RFC 9110 8.6: no Content-Length in a 204");
            assertNull(r.header("Transfer-Encoding"), "RFC 9112 6.1: no Transfer-Encoding in a 204");
            c.get("/s?s=304");
            r = c.readFinal();
            assertEquals(304, r.status());
            assertNull(r.header("Transfer-Encoding"));
            c.get("/s?s=200");
            assertEquals(200, c.readFinal().status(), "the connection is still in sync");
        }
    }

    @BothLoops
    void anExceptionAfterTheResponseWasClosedChangesNothingForTheClient(Loop loop) {
        HttpServlet s = Servlets.of((req, resp) -> {
            resp.getWriter().print("complete");
            resp.getWriter().close();
            throw new IllegalStateException("after the fact");
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s"));
             RawHttp c = server.raw()) {
            c.get("/s");
            RawHttp.Response r = c.readFinal();
            assertEquals(200, r.status());
            assertEquals("complete", r.bodyText());
            assertTrue(r.complete());
            c.get("/s");
            assertEquals("complete", c.readFinal().bodyText(), "the connection is still good");
        }
    }

    @BothLoops
    void clientsThatLeaveEarlyDoNotHurtTheServer(Loop loop) {
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", Servlets.text("fine"), "/s"))) {
            RawHttp partialHead = server.raw();
            partialHead.send("GET /s HTTP/1.1\r\nHost: x\r\nX-Half: ");
            partialHead.abort();
            RawHttp noWait = server.raw();
            noWait.get("/s");
            noWait.abort();
            RawHttp halfClosed = server.raw();
            halfClosed.get("/s");
            halfClosed.shutdownOutput();
            assertEquals("fine", halfClosed.readFinal().bodyText(), "a half-closed client still gets its answer");
            halfClosed.close();
            assertEquals("fine", Http.get(server.uri("/s")).body());
        }
    }
}
