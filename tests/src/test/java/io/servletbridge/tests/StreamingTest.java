package io.servletbridge.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.servletbridge.Loop;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.DigestOutputStream;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** Large and slow bodies in both directions, and clients that go away (design invariants 3 and 4). */
class StreamingTest {
    private static final int MIB = 1024 * 1024;
    private static final long BIG = 32L * MIB;

    /** Deterministic pseudo-random bytes, generated on the fly: the test never holds a whole body. */
    static final class Generated extends InputStream {
        private final SplittableRandom random;
        private long left;

        Generated(long seed, long length) {
            this.random = new SplittableRandom(seed);
            this.left = length;
        }

        @Override
        public int read() {
            if (left <= 0) {
                return -1;
            }
            left--;
            return random.nextInt(256);
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            for (int i = 0; i < n; i++) {
                b[off + i] = (byte) random.nextInt(256);
            }
            left -= n;
            return n;
        }
    }

    static byte[] sha256(InputStream in) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[64 * 1024];
        try (in) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                md.update(buf, 0, n);
            }
        }
        return md.digest();
    }

    private static HttpServlet echo() {
        return Servlets.of((req, resp) -> {
            ServletInputStream in = req.getInputStream();
            ServletOutputStream out = resp.getOutputStream();
            byte[] buf = new byte[16 * 1024];
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
            }
        });
    }

    /**
     * Sends {@code body} from a second thread while this one reads the echo: an echo streams, so a client that only
     * reads after sending everything would deadlock against the server's backpressure (as with any server).
     */
    private static byte[] echoThroughRawSocket(TestServer server, boolean chunked, long seed) throws Exception {
        try (RawHttp c = server.raw()) {
            String head = "POST /e HTTP/1.1\r\nHost: x\r\n"
                    + (chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + BIG + "\r\n") + "\r\n";
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                c.send(head);
                byte[] buf = new byte[60_000];
                try (InputStream in = new Generated(seed, BIG)) {
                    for (int n; (n = in.readNBytes(buf, 0, buf.length)) > 0; ) {
                        if (chunked) {
                            c.send(Integer.toHexString(n) + "\r\n");
                        }
                        c.send(n == buf.length ? buf : Arrays.copyOf(buf, n));
                        if (chunked) {
                            c.send("\r\n");
                        }
                    }
                    if (chunked) {
                        c.send("0\r\n\r\n");
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            RawHttp.Response r = c.readFinalTo(new DigestOutputStream(OutputStream.nullOutputStream(), md));
            sender.get(30, TimeUnit.SECONDS);
            assertEquals(200, r.status(), r.toString());
            assertTrue(r.complete(), r.toString());
            return md.digest();
        }
    }

    @BothLoops
    void echoes32MiBUpload(Loop loop) throws Exception {
        try (TestServer server = TestServer.start(loop, b -> b.servlet("e", echo(), "/e"))) {
            assertArrayEquals(sha256(new Generated(1, BIG)), echoThroughRawSocket(server, false, 1));
        }
    }

    @BothLoops
    void echoes32MiBChunkedUpload(Loop loop) throws Exception {
        try (TestServer server = TestServer.start(loop, b -> b.servlet("e", echo(), "/e"))) {
            assertArrayEquals(sha256(new Generated(2, BIG)), echoThroughRawSocket(server, true, 2));
        }
    }

    @BothLoops
    void uploads32MiBWithTheJdkClient(Loop loop) throws Exception {
        HttpServlet digest = Servlets.of((req, resp) -> {
            resp.getWriter().print(HexFormat.of().formatHex(sha256(req.getInputStream())));
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("d", digest, "/d"))) {
            HttpRequest request = Http.request(server.uri("/d")).timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.fromPublisher(
                            HttpRequest.BodyPublishers.ofInputStream(() -> new Generated(4, BIG)), BIG))
                    .build();
            HttpResponse<String> r = Http.CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals(HexFormat.of().formatHex(sha256(new Generated(4, BIG))), r.body());
        }
    }

    @BothLoops
    void downloads32MiB(Loop loop) throws Exception {
        HttpServlet s = Servlets.of((req, resp) -> {
            resp.setContentType("application/octet-stream");
            try (InputStream in = new Generated(3, BIG)) {
                in.transferTo(resp.getOutputStream());
            }
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("d", s, "/d"))) {
            HttpResponse<InputStream> r = Http.CLIENT.send(Http.request(server.uri("/d"))
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, r.statusCode());
            assertArrayEquals(sha256(new Generated(3, BIG)), sha256(r.body()));
        }
    }

    @BothLoops
    void concurrentDownloadsInLargeWritesEachArriveIntact(Loop loop) throws Exception {
        // Large writes go out in pooled direct pieces: a piece reused before the socket took it would show here as
        // another response's bytes. The servlet refills its one array after every write, as a copy loop does.
        long size = 4L * MIB;
        HttpServlet s = Servlets.of((req, resp) -> {
            long seed = Long.parseLong(req.getParameter("seed"));
            resp.setContentLengthLong(size);
            ServletOutputStream out = resp.getOutputStream();
            byte[] piece = new byte[40 * 1024];
            try (InputStream in = new Generated(seed, size)) {
                int n;
                while ((n = in.readNBytes(piece, 0, piece.length)) > 0) {
                    out.write(piece, 0, n);
                }
            }
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("d", s, "/d"))) {
            java.util.List<CompletableFuture<HttpResponse<InputStream>>> answers = new java.util.ArrayList<>();
            for (int seed = 10; seed < 18; seed++) {
                answers.add(Http.CLIENT.sendAsync(Http.request(server.uri("/d?seed=" + seed))
                        .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofInputStream()));
            }
            for (int i = 0; i < answers.size(); i++) {
                HttpResponse<InputStream> r = answers.get(i).get(60, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode());
                assertArrayEquals(sha256(new Generated(10 + i, size)), sha256(r.body()), "seed " + (10 + i));
            }
        }
    }

    @BothLoops
    void concurrentUploadsReadInSmallPiecesEachArriveIntact(Loop loop) throws Exception {
        // Large request pieces are lent to the worker in the loop's own read buffers: one handed back before the
        // worker had read it, or read after, would show here as another upload's bytes. Readers take odd small
        // pieces, so most reads end inside a piece; half the requests send 512 KiB, read only their first 100 KiB
        // and answer, so the rest of their pieces are given back unread while the other uploads still use the loop's
        // buffers. (512 KiB, not more: the rest is then read off by the lingering close, and never answered by a
        // reset that could cost the client its response; see LoopConfig.LINGER_BYTES.)
        long size = 4L * MIB;
        long partSize = 512 * 1024;
        HttpServlet s = Servlets.of((req, resp) -> {
            ServletInputStream in = req.getInputStream();
            if (req.getParameter("partly") != null) {
                in.readNBytes(100 * 1024);
                resp.getWriter().print("partly");
                return;
            }
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] piece = new byte[1_000];
            for (int n; (n = in.read(piece)) >= 0; ) {
                md.update(piece, 0, n);
            }
            resp.getWriter().print(HexFormat.of().formatHex(md.digest()));
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("u", s, "/u"))) {
            java.util.List<CompletableFuture<HttpResponse<String>>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 16; i++) {
                long seed = 20 + i;
                boolean partly = i % 2 == 1;
                long length = partly ? partSize : size;
                answers.add(Http.CLIENT.sendAsync(Http.request(server.uri("/u" + (partly ? "?partly" : "")))
                        .timeout(Duration.ofSeconds(60))
                        .POST(HttpRequest.BodyPublishers.fromPublisher(
                                HttpRequest.BodyPublishers.ofInputStream(() -> new Generated(seed, length)), length))
                        .build(), HttpResponse.BodyHandlers.ofString()));
            }
            for (int i = 0; i < answers.size(); i++) {
                HttpResponse<String> r = answers.get(i).get(60, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode(), "upload " + i);
                String expected = i % 2 == 1 ? "partly"
                        : HexFormat.of().formatHex(sha256(new Generated(20 + i, size)));
                assertEquals(expected, r.body(), "upload " + i);
            }
        }
    }

    @BothLoops
    void theServletStartsBeforeTheBodyHasArrived(Loop loop) throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        HttpServlet s = Servlets.of((req, resp) -> {
            entered.countDown();
            long total = 0;
            byte[] buf = new byte[8192];
            InputStream in = req.getInputStream();
            for (int n; (n = in.read(buf)) >= 0; ) {
                total += n;
            }
            resp.getWriter().print(total);
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s"));
             RawHttp c = server.raw()) {
            c.send("POST /s HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n");
            c.send(new byte[1000]);
            assertTrue(entered.await(10, TimeUnit.SECONDS), "the servlet must not wait for the whole body");
            c.send(new byte[99_000]);
            RawHttp.Response r = c.readFinal();
            assertEquals(200, r.status());
            assertEquals("100000", r.bodyText());
        }
    }

    @BothLoops
    void aClientThatLeavesMidUploadMakesReadThrow(Loop loop) throws Exception {
        CountDownLatch readSome = new CountDownLatch(1);
        AtomicReference<Object> outcome = new AtomicReference<>();
        HttpServlet s = Servlets.of((req, resp) -> {
            byte[] buf = new byte[8192];
            InputStream in = req.getInputStream();
            long total = 0;
            try {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    total += n;
                    readSome.countDown();
                }
                outcome.set("read returned -1 after " + total + " of " + req.getContentLengthLong() + " bytes");
            } catch (IOException expected) {
                outcome.set(expected);
            }
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s")
                .servlet("ok", Servlets.text("ok"), "/ok"))) {
            RawHttp c = server.raw();
            c.send("POST /s HTTP/1.1\r\nHost: x\r\nContent-Length: 10485760\r\n\r\n");
            c.send(new byte[64 * 1024]);
            assertTrue(readSome.await(10, TimeUnit.SECONDS));
            c.abort();
            await().atMost(Duration.ofSeconds(10)).until(() -> outcome.get() != null);
            assertTrue(outcome.get() instanceof IOException,
                    "a truncated body is an error, not an end: " + outcome.get());
            assertEquals("ok", Http.get(server.uri("/ok")).body());
        }
    }

    @BothLoops
    void aClientThatLeavesMidDownloadMakesWriteThrowPromptly(Loop loop) throws Exception {
        AtomicReference<Object> outcome = new AtomicReference<>();
        AtomicLong written = new AtomicLong();
        HttpServlet s = Servlets.of((req, resp) -> {
            byte[] chunk = new byte[64 * 1024];
            ServletOutputStream out = resp.getOutputStream();
            try {
                // 4 GiB: far more than any socket buffer; only a failure ends this loop in time.
                for (int i = 0; i < 65_536; i++) {
                    out.write(chunk);
                    out.flush();
                    written.addAndGet(chunk.length);
                }
                outcome.set("wrote everything");
            } catch (IOException expected) {
                outcome.set(expected);
            }
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s")
                .servlet("ok", Servlets.text("ok"), "/ok"))) {
            RawHttp c = server.raw();
            c.get("/s");
            byte[] buf = new byte[8192];
            long got = 0;
            while (got < 256 * 1024) {
                int n = c.readSome(buf);
                assertTrue(n > 0);
                got += n;
            }
            c.abort();
            await().atMost(Duration.ofSeconds(10)).until(() -> outcome.get() != null);
            assertTrue(outcome.get() instanceof IOException, "writes to a gone client fail: " + outcome.get());
            assertTrue(written.get() < 1024L * MIB, "the failure came promptly, after " + written.get() + " bytes");
            assertEquals("ok", Http.get(server.uri("/ok")).body());
        }
    }

    /**
     * Many small flushed pieces in a row, faster than the loop sends them: the loop gathers what is queued into one
     * socket write (more pieces than one gathering write takes, at times), so order, framing and the end of the
     * response must survive the batching, and the next request on the connection must follow cleanly.
     */
    @BothLoops
    void manyFlushedPiecesArriveInOrderAndTheConnectionStaysUsable(Loop loop) throws Exception {
        int pieces = 3_000;
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < pieces; i++) {
            expected.append("piece ").append(i).append('\n');
        }
        String body = expected.toString();
        HttpServlet s = Servlets.of((req, resp) -> {
            if (req.getParameter("length") != null) {
                resp.setContentLength(body.length());
            }
            ServletOutputStream out = resp.getOutputStream();
            for (int i = 0; i < pieces; i++) {
                out.write(("piece " + i + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                out.flush();
            }
            if (req.getParameter("emptyEnd") != null) {
                // Ends with an empty last write behind the queued pieces.
                out.close();
            }
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s")
                .servlet("ok", Servlets.text("ok"), "/ok"));
             RawHttp c = server.raw()) {
            for (String query : new String[] {"", "?emptyEnd", "?length", "?length&emptyEnd"}) {
                c.get("/s" + query);
                RawHttp.Response r = c.readFinal();
                assertEquals(200, r.status(), query + ": " + r);
                assertTrue(r.complete(), query + ": " + r);
                assertEquals(query.contains("length") ? "length" : "chunked", r.framing(), query + ": " + r);
                assertEquals(body, new String(r.body(), java.nio.charset.StandardCharsets.US_ASCII), query);
            }
            c.get("/ok");
            assertEquals("ok", new String(c.readFinal().body(), java.nio.charset.StandardCharsets.US_ASCII));
        }
    }

    @BothLoops
    void aSlowReaderParksTheWritingServlet(Loop loop) throws Exception {
        AtomicLong written = new AtomicLong();
        HttpServlet s = Servlets.of((req, resp) -> {
            resp.setContentLengthLong(BIG);
            ServletOutputStream out = resp.getOutputStream();
            try (InputStream in = new Generated(5, BIG)) {
                byte[] buf = new byte[64 * 1024];
                for (int n; (n = in.read(buf)) > 0; ) {
                    out.write(buf, 0, n);
                    written.addAndGet(n);
                }
            }
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s"));
             RawHttp c = server.raw()) {
            c.get("/s");
            await().atMost(Duration.ofSeconds(10)).until(() -> written.get() > 0);
            // The client reads nothing: socket buffers fill and the worker must wait, not buffer 32 MiB.
            await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5))
                    .until(() -> written.get() < 16L * MIB);
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            RawHttp.Response r = c.readFinalTo(new DigestOutputStream(OutputStream.nullOutputStream(), md));
            assertTrue(r.complete());
            assertArrayEquals(sha256(new Generated(5, BIG)), md.digest());
        }
    }

    @BothLoops
    void anUploadIsNotReadAheadOfTheServlet(Loop loop) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        HttpServlet s = Servlets.of((req, resp) -> {
            Servlets.await(release);
            resp.getWriter().print(HexFormat.of().formatHex(sha256(req.getInputStream())));
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s"));
             RawHttp c = server.raw()) {
            AtomicLong sent = new AtomicLong();
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                c.send("POST /s HTTP/1.1\r\nHost: x\r\nContent-Length: " + BIG + "\r\n\r\n");
                byte[] buf = new byte[64 * 1024];
                try (InputStream in = new Generated(6, BIG)) {
                    for (int n; (n = in.readNBytes(buf, 0, buf.length)) > 0; ) {
                        c.send(n == buf.length ? buf : Arrays.copyOf(buf, n));
                        sent.addAndGet(n);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> sent.get() > 0);
            // The servlet is not reading: the server must stop reading too, so the client's writes stall.
            await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5))
                    .until(() -> sent.get() < 16L * MIB);
            release.countDown();
            RawHttp.Response r = c.readFinal();
            sender.get(30, TimeUnit.SECONDS);
            assertEquals(200, r.status());
            assertEquals(HexFormat.of().formatHex(sha256(new Generated(6, BIG))), r.bodyText());
        }
    }
}
