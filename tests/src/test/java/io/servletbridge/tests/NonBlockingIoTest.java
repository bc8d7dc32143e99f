package io.servletbridge.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.servletbridge.Loop;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ReadListener;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServlet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** Non-blocking servlet I/O: {@code ReadListener} and {@code WriteListener} (Servlet 6.1 section 5.7 and 3.x). */
class NonBlockingIoTest {
    private static final int KIB = 1024;
    private static final int MIB = 1024 * KIB;

    private static void asyncServlet(ServletContext ctx, String name, Servlet servlet, String... patterns) {
        ServletRegistration.Dynamic r = ctx.addServlet(name, servlet);
        r.addMapping(patterns);
        r.setAsyncSupported(true);
    }

    private static byte[] bytes(long seed, int length) {
        byte[] b = new byte[length];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < length; i++) {
            b[i] = (byte) random.nextInt(256);
        }
        return b;
    }

    private static String sha256Hex(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** Reads everything the listener may read now, never calling read() unless isReady() said so. */
    private static class DigestingReader implements ReadListener {
        private final AsyncContext ac;
        private final ServletInputStream in;
        private final MessageDigest md;
        private final byte[] buf = new byte[8 * KIB];
        final AtomicLong received = new AtomicLong();
        final AtomicInteger dataCalls = new AtomicInteger();
        final AtomicInteger allDataCalls = new AtomicInteger();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        final List<String> threads = new CopyOnWriteArrayList<>();

        DigestingReader(AsyncContext ac, ServletInputStream in) throws Exception {
            this.ac = ac;
            this.in = in;
            this.md = MessageDigest.getInstance("SHA-256");
        }

        @Override
        public void onDataAvailable() throws IOException {
            dataCalls.incrementAndGet();
            threads.add(AsyncTest.describeCurrentThread());
            while (in.isReady()) {
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                md.update(buf, 0, n);
                received.addAndGet(n);
            }
        }

        @Override
        public void onAllDataRead() throws IOException {
            allDataCalls.incrementAndGet();
            threads.add(AsyncTest.describeCurrentThread());
            ac.getResponse().setContentType("text/plain;charset=UTF-8");
            ac.getResponse().getWriter().print(received.get() + " " + in.isFinished() + " "
                    + HexFormat.of().formatHex(md.digest()));
            ac.complete();
        }

        @Override
        public void onError(Throwable t) {
            error.set(t);
            threads.add(AsyncTest.describeCurrentThread());
            try {
                ac.complete();
            } catch (IllegalStateException alreadyEnded) {
                // the container may have ended the exchange itself
            }
        }
    }

    // ---------------------------------------------------------------- 1. ReadListener

    @BothLoops
    void aReadListenerGetsTheWholeBodySentSlowly(Loop loop) throws Exception {
        int size = MIB;
        int chunk = 64 * KIB;
        byte[] body = bytes(11, size);
        AtomicReference<DigestingReader> reader = new AtomicReference<>();
        AtomicBoolean serviceReturned = new AtomicBoolean();
        AtomicReference<String> returnedBeforeAllData = new AtomicReference<>();
        HttpServlet s = Servlets.of((req, resp) -> {
            AsyncContext ac = req.startAsync();
            ServletInputStream in = req.getInputStream();
            DigestingReader r = new DigestingReader(ac, in) {
                @Override
                public void onAllDataRead() throws IOException {
                    returnedBeforeAllData.set(String.valueOf(serviceReturned.get()));
                    super.onAllDataRead();
                }
            };
            reader.set(r);
            in.setReadListener(r);
            serviceReturned.set(true);
        });
        try (TestServer server = TestServer.start(loop, b -> b.configure(ctx -> asyncServlet(ctx, "s", s, "/s")));
             RawHttp c = server.raw()) {
            c.send("POST /s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + size + "\r\n\r\n");
            for (int off = 0; off < size; off += chunk) {
                c.send(Arrays.copyOfRange(body, off, off + chunk));
                long sent = off + chunk;
                if (sent < size) {
                    // Slowly: the next chunk only once the listener has read this one and found nothing more.
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> reader.get() != null && reader.get().received.get() >= sent);
                }
            }
            RawHttp.Response r = c.readFinal();
            assertEquals(200, r.status(), r.toString());
            assertEquals(size + " true " + sha256Hex(body), r.bodyText());
            DigestingReader got = reader.get();
            assertTrue(got.dataCalls.get() >= 2, "onDataAvailable calls: " + got.dataCalls.get());
            assertEquals(1, got.allDataCalls.get());
            assertNull(got.error.get());
            assertEquals("true", returnedBeforeAllData.get(), "service() returned before the body was read");
            for (String t : got.threads) {
                assertTrue(!AsyncTest.isLoopThread(t), "a listener ran on a loop thread: " + t);
            }
        }
    }

    @BothLoops
    void aReadListenerThatThrowsEndsTheRequestWith500AndHearsOfIt(Loop loop) {
        List<String> events = new CopyOnWriteArrayList<>();
        HttpServlet s = Servlets.of((req, resp) -> {
            AsyncContext ac = req.startAsync();
            ac.setTimeout(20_000);
            ServletInputStream in = req.getInputStream();
            in.setReadListener(new ReadListener() {
                @Override
                public void onDataAvailable() throws IOException {
                    byte[] buf = new byte[8192];
                    while (in.isReady() && in.read(buf) >= 0) {
                        // consume
                    }
                }

                @Override
                public void onAllDataRead() {
                    events.add("onAllDataRead");
                    throw new IllegalStateException("application bug");
                }

                @Override
                public void onError(Throwable t) {
                    events.add("onError " + t.getMessage());
                }
            });
        });
        try (TestServer server = TestServer.start(loop, b -> b.configure(ctx -> asyncServlet(ctx, "s", s, "/s")));
             RawHttp c = server.raw()) {
            long start = System.nanoTime();
            c.send("POST /s HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
            RawHttp.Response r = c.readFinal();
            // Tomcat's behaviour: the failure is an error for the request, not a hang until the async timeout.
            assertEquals(500, r.status());
            assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 10_000, "answered before the timeout");
            assertEquals(List.of("onAllDataRead", "onError application bug"), events);
        }
    }

    @BothLoops
    void listenersNeedAnAsyncRequestAndCanBeSetOnlyOnce(Loop loop) {
        List<String> seen = new CopyOnWriteArrayList<>();
        ReadListener noRead = new ReadListener() {
            @Override
            public void onDataAvailable() {
            }

            @Override
            public void onAllDataRead() {
            }

            @Override
            public void onError(Throwable t) {
            }
        };
        WriteListener noWrite = new WriteListener() {
            @Override
            public void onWritePossible() {
            }

            @Override
            public void onError(Throwable t) {
            }
        };
        HttpServlet s = Servlets.of((req, resp) -> {
            ServletInputStream in = req.getInputStream();
            if (req.getParameter("async") == null) {
                ServletOutputStream out = resp.getOutputStream();
                seen.add("setReadListener without startAsync: " + outcome(() -> in.setReadListener(noRead)));
                seen.add("setWriteListener without startAsync: " + outcome(() -> out.setWriteListener(noWrite)));
                out.print("sync");
                return;
            }
            AsyncContext ac = req.startAsync();
            DigestingReader r = new DigestingReader(ac, in);
            in.setReadListener(r);
            seen.add("setReadListener again: " + outcome(() -> in.setReadListener(noRead)));
        });
        try (TestServer server = TestServer.start(loop, b -> b.configure(ctx -> asyncServlet(ctx, "s", s, "/s")))) {
            assertEquals("sync", Http.post(server.uri("/s"), "text/plain", "abc").body());
            var r = Http.post(server.uri("/s?async=1"), "text/plain", "abc");
            assertEquals(200, r.statusCode());
            assertTrue(r.body().startsWith("3 true "), r.body());
            assertEquals(List.of("setReadListener without startAsync: IllegalStateException",
                    "setWriteListener without startAsync: IllegalStateException",
                    "setReadListener again: IllegalStateException"), seen);
        }
    }

    private static String outcome(ThrowingRunnable call) {
        try {
            call.run();
            return "returned";
        } catch (IllegalStateException expected) {
            return "IllegalStateException";
        } catch (Exception | Error e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    // ---------------------------------------------------------------- 2. WriteListener

    @BothLoops
    void aWriteListenerWritesOnlyWhileReadyAndHoldsNoWorkerWhileTheClientStalls(Loop loop) throws Exception {
        int size = 4 * MIB;
        byte[] body = bytes(12, size);
        AtomicLong written = new AtomicLong();
        AtomicInteger writeCalls = new AtomicInteger();
        AtomicInteger notReady = new AtomicInteger();
        AtomicReference<Throwable> error = new AtomicReference<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        HttpServlet big = Servlets.of((req, resp) -> {
            AsyncContext ac = req.startAsync();
            ac.setTimeout(0);
            resp.setContentType("application/octet-stream");
            resp.setContentLengthLong(size);
            ServletOutputStream out = resp.getOutputStream();
            out.setWriteListener(new WriteListener() {
                private int offset;

                @Override
                public void onWritePossible() throws IOException {
                    writeCalls.incrementAndGet();
                    threads.add(AsyncTest.describeCurrentThread());
                    while (out.isReady()) {
                        if (offset >= size) {
                            ac.complete();
                            return;
                        }
                        int n = Math.min(32 * KIB, size - offset);
                        out.write(body, offset, n);
                        offset += n;
                        written.set(offset);
                    }
                    notReady.incrementAndGet();
                }

                @Override
                public void onError(Throwable t) {
                    error.set(t);
                }
            });
        });
        try (TestServer server = TestServer.start(loop, b -> b.workers(1, 0)
                .configure(ctx -> asyncServlet(ctx, "big", big, "/big"))
                .servlet("ok", Servlets.text("ok"), "/ok"));
             Socket slow = new Socket()) {
            // A small receive window, so that the client's kernel does not soak up the body for it.
            slow.setReceiveBufferSize(16 * KIB);
            slow.connect(new InetSocketAddress(RawHttp.LOOPBACK, server.port()), 5000);
            slow.setSoTimeout(RawHttp.READ_TIMEOUT_MS);
            slow.getOutputStream().write("GET /big HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = slow.getInputStream();
            String head = readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 200 "), head);
            assertTrue(head.toLowerCase().contains("content-length: " + size), head);
            ByteArrayOutputStream got = new ByteArrayOutputStream(size);
            byte[] buf = new byte[8 * KIB];
            while (got.size() < 64 * KIB) {
                int n = in.read(buf);
                assertTrue(n > 0, "EOF after " + got.size() + " bytes");
                got.write(buf, 0, n);
            }

            // The client stops reading: the listener finds the stream not ready and returns; writing stalls.
            await().atMost(Duration.ofSeconds(10)).until(() -> notReady.get() > 0);
            AtomicLong lastSeen = new AtomicLong(-1);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(300))
                    .until(() -> written.get() == lastSeen.getAndSet(written.get()));
            long stalledAt = written.get();
            assertTrue(stalledAt < size, "the whole body was written without the client reading");

            // One worker, no queue: the stalled response must not hold it.
            var ok = Http.get(server.uri("/ok"));
            assertEquals(200, ok.statusCode(), "a stalled non-blocking write held the only worker");
            assertEquals("ok", ok.body());
            assertEquals(stalledAt, written.get(), "still stalled");

            // Now read the rest.
            for (int n; got.size() < size && (n = in.read(buf)) > 0; ) {
                got.write(buf, 0, n);
            }
            assertEquals(size, got.size());
            assertArrayEquals(body, got.toByteArray());
            assertTrue(writeCalls.get() >= 2, "onWritePossible calls: " + writeCalls.get());
            assertNull(error.get());
            for (String t : threads) {
                assertTrue(!AsyncTest.isLoopThread(t), "a listener ran on a loop thread: " + t);
            }
        }
    }

    /** Reads a response head up to and including the blank line. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("EOF in the response head: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    // ---------------------------------------------------------------- 3. ReadListener.onError

    @BothLoops
    void aClientThatLeavesMidUploadCallsTheReadListenersOnError(Loop loop) throws Exception {
        AtomicReference<DigestingReader> reader = new AtomicReference<>();
        HttpServlet s = Servlets.of((req, resp) -> {
            AsyncContext ac = req.startAsync();
            ServletInputStream in = req.getInputStream();
            DigestingReader r = new DigestingReader(ac, in);
            reader.set(r);
            in.setReadListener(r);
        });
        try (TestServer server = TestServer.start(loop, b -> b.configure(ctx -> asyncServlet(ctx, "s", s, "/s"))
                .servlet("ok", Servlets.text("ok"), "/ok"))) {
            RawHttp c = server.raw();
            c.send("POST /s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + MIB + "\r\n\r\n");
            c.send(new byte[64 * KIB]);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> reader.get() != null && reader.get().received.get() >= 64 * KIB);
            c.abort();
            await().atMost(Duration.ofSeconds(10)).until(() -> reader.get().error.get() != null);
            assertEquals(0, reader.get().allDataCalls.get(), "a truncated body is an error, not an end");
            assertEquals("ok", Http.get(server.uri("/ok")).body());
            for (String t : reader.get().threads) {
                assertTrue(!AsyncTest.isLoopThread(t), "a listener ran on a loop thread: " + t);
            }
        }
    }
}
