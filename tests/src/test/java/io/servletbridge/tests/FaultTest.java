package io.servletbridge.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.servletbridge.Loop;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequestEvent;
import jakarta.servlet.ServletRequestListener;
import jakarta.servlet.http.HttpServlet;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Timeout;

/**
 * Faults in the application, the client and the network (issue 4): each case takes a resource baseline, causes the
 * fault, then checks that the next request is served and that threads, sockets and direct memory come back
 * ({@link Resources}). Netty's paranoid leak detector runs around the class ({@link NettyLeakGuard}).
 */
class FaultTest {

    /** One request on a connection of its own, closed after, so that nothing stays pooled on either side. */
    static RawHttp.Response get(TestServer server, String target) {
        try (RawHttp c = server.raw()) {
            c.send("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            return c.readFinal();
        }
    }

    /**
     * Sends {@code count} requests, {@code parallel} at a time, so that every loop thread, worker and buffer arena
     * exists, then reads the baseline.
     */
    static Resources.Snapshot warmUpAndBaseline(TestServer server, String target) throws Exception {
        runConcurrently(32, 4, i -> assertEquals(200, get(server, target).status()));
        // The JDK caches a temporary direct buffer per thread that does socket I/O: the test's own thread reads
        // responses too, so its cache must be filled before the baseline as well.
        for (int i = 0; i < 4; i++) {
            assertEquals(200, get(server, target).status());
        }
        return Resources.settledBaseline();
    }

    @FunctionalInterface
    interface Client {
        void run(int index) throws Exception;
    }

    /**
     * Runs {@code count} client actions, at most {@code parallel} at once, and rethrows the first failure. The
     * threads are gone when it returns, so they do not count against a resource baseline.
     */
    static void runConcurrently(int count, int parallel, Client client) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        try {
            List<Future<?>> all = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int index = i;
                all.add(pool.submit(() -> {
                    client.run(index);
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(20, TimeUnit.SECONDS), "client threads did not end");
        }
    }

    /**
     * A few requests after the fault, one after another, which must all be answered. More than one: a socket that
     * is closed while registered with a selector keeps its descriptor (pointed at /dev/null) until that loop
     * thread's selector runs again, so each loop thread needs a turn before the descriptor count can settle.
     */
    static void nextRequestsAreServed(TestServer server, String target, String body) {
        for (int i = 0; i < 8; i++) {
            RawHttp.Response r = get(server, target);
            assertEquals(200, r.status(), r.toString());
            assertEquals(body, r.bodyText());
        }
    }

    /** What {@code kind} (e.g. {@code servlet-oom}) throws from its place in the request. */
    private static void throwFor(String kind, String where) {
        if (kind == null || !kind.startsWith(where + "-")) {
            return;
        }
        switch (kind.substring(where.length() + 1)) {
            case "runtime" -> throw new IllegalStateException("simulated failure in the " + where);
            case "assertion" -> throw new AssertionError("simulated assertion failure in the " + where);
            case "oom" -> throw new OutOfMemoryError("simulated: thrown explicitly by the " + where);
            case "stack" -> recurse(0);
            default -> throw new IllegalArgumentException(kind);
        }
    }

    private static int recurse(int depth) {
        // Not a tail call, so the JIT cannot turn it into a loop: the stack really overflows.
        return recurse(depth + 1) + 1;
    }

    @BothLoops
    void exceptionsAndErrorsFromServletFilterAndListenerAnswer500AndTheWorkersStayUsable(Loop loop)
            throws Exception {
        HttpServlet servlet = Servlets.of((req, resp) -> {
            throwFor(req.getParameter("kind"), "servlet");
            resp.getWriter().print("ok");
        });
        ServletRequestListener listener = new ServletRequestListener() {
            @Override
            public void requestInitialized(ServletRequestEvent sre) {
                throwFor(sre.getServletRequest().getParameter("kind"), "listener");
            }
        };
        try (TestServer server = TestServer.start(loop, b -> b.workers(2, 16)
                .listener(listener)
                .filter("f", Servlets.filter((req, resp, chain) -> {
                    throwFor(req.getParameter("kind"), "filter");
                    chain.doFilter(req, resp);
                }), "/*")
                .servlet("s", servlet, "/s"))) {
            Resources.Snapshot baseline = warmUpAndBaseline(server, "/s");
            for (String where : List.of("servlet", "filter", "listener")) {
                for (String what : List.of("runtime", "assertion", "oom", "stack")) {
                    RawHttp.Response r = get(server, "/s?kind=" + where + "-" + what);
                    assertEquals(500, r.status(), where + "-" + what + ": " + r);
                    assertTrue(r.complete(), "the error page is a whole response: " + r);
                    assertFalse(r.bodyText().contains("at io.servletbridge"), "no stack trace goes to the client");
                }
            }
            // Two workers, twenty requests: a worker killed by an Error would leave too few to serve them.
            runConcurrently(20, 4, i -> {
                RawHttp.Response r = get(server, "/s");
                assertEquals(200, r.status(), r.toString());
                assertEquals("ok", r.bodyText());
            });
            Resources.awaitBackTo(baseline);
        }
    }

    @BothLoops
    void aFailureAfterCommitCutsTheConnectionSoTheClientSeesATruncatedResponse(Loop loop) throws Exception {
        byte[] part = new byte[20_000];
        HttpServlet servlet = Servlets.of((req, resp) -> {
            if (req.getParameter("length") != null) {
                resp.setContentLength(100_000);
            }
            resp.getOutputStream().write(part);
            resp.flushBuffer();
            if (req.getParameter("ok") != null) {
                return;
            }
            if (req.getParameter("error") != null) {
                throw new AssertionError("simulated error mid-stream");
            }
            throw new IllegalStateException("simulated failure mid-stream");
        });
        try (TestServer server = TestServer.start(loop, b -> b.workers(2, 16)
                .servlet("s", servlet, "/s")
                .servlet("ok", Servlets.text("ok"), "/ok"))) {
            // The warm-up takes the same path without the failure, so buffers of these sizes exist already.
            Resources.Snapshot baseline = warmUpAndBaseline(server, "/s?ok");
            for (int round = 0; round < 5; round++) {
                for (String query : List.of("", "?error", "?length", "?length&error")) {
                    RawHttp.Response r = get(server, "/s" + query);
                    assertEquals(200, r.status(), "committed before the failure: " + r);
                    assertEquals(query.contains("length") ? "length" : "chunked", r.framing(), r.toString());
                    assertFalse(r.complete(), "the client must see the body cut short, not a complete one: " + r);
                    // What the servlet flushed before failing still goes out ahead of the cut.
                    assertEquals(part.length, r.body().length, r.toString());
                }
            }
            nextRequestsAreServed(server, "/ok", "ok");
            Resources.awaitBackTo(baseline);
        }
    }

    /** Waits on {@code latch} until it is released, swallowing interrupts, as badly written code does. */
    private static void awaitIgnoringInterrupts(CountDownLatch latch) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (latch.getCount() > 0 && System.nanoTime() < deadline) {
            try {
                latch.await(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException ignored) {
                // swallowed on purpose
            }
        }
    }

    @BothLoops
    void aServletThatNeverReturnsGets503AndItsLaterCallsFail(Loop loop) throws Exception {
        AtomicReference<CountDownLatch> release = new AtomicReference<>();
        AtomicReference<CountDownLatch> returned = new AtomicReference<>();
        AtomicReference<Throwable> laterWrite = new AtomicReference<>();
        AtomicReference<Throwable> laterCall = new AtomicReference<>();
        HttpServlet stuck = Servlets.of((req, resp) -> {
            ServletOutputStream out = resp.getOutputStream();
            if (req.getParameter("committed") != null) {
                out.write(new byte[10_000]);
                out.flush();
            }
            awaitIgnoringInterrupts(release.get());
            try {
                out.write(new byte[100]);
                out.flush();
            } catch (Throwable e) {
                laterWrite.set(e);
            }
            try {
                req.getHeader("Host");
            } catch (Throwable e) {
                laterCall.set(e);
            }
            returned.get().countDown();
        });
        try (TestServer server = TestServer.start(loop, b -> b.workers(2, 16)
                .requestTimeout(Duration.ofMillis(300))
                .servlet("stuck", stuck, "/stuck")
                .servlet("ok", Servlets.text("ok"), "/ok"))) {
            Resources.Snapshot baseline = warmUpAndBaseline(server, "/ok");
            for (String target : List.of("/stuck", "/stuck?committed")) {
                release.set(new CountDownLatch(1));
                returned.set(new CountDownLatch(1));
                laterWrite.set(null);
                laterCall.set(null);
                try (RawHttp c = server.raw()) {
                    c.get(target);
                    // The servlet is blocked until the test releases it, so this answer can only come from the
                    // request timeout.
                    RawHttp.Response r = c.readFinal();
                    if (target.contains("committed")) {
                        assertEquals(200, r.status(), "committed before it got stuck: " + r);
                        assertFalse(r.complete(), "too late for a 503: the connection is cut: " + r);
                    } else {
                        assertEquals(503, r.status(), r.toString());
                        assertEquals("close", r.header("Connection"));
                        assertTrue(c.closedByPeer());
                    }
                    assertEquals(1, returned.get().getCount(), "the servlet was still running");
                } finally {
                    release.get().countDown();
                }
                assertTrue(returned.get().await(10, TimeUnit.SECONDS));
                assertInstanceOf(IOException.class, laterWrite.get(), "a write after the timeout fails");
                assertInstanceOf(IllegalStateException.class, laterCall.get(), "the request object is dead too");
                nextRequestsAreServed(server, "/ok", "ok");
            }
            Resources.awaitBackTo(baseline);
        }
    }

    @BothLoops
    void aServletThatHonoursInterruptsIsFreedByTheRequestTimeout(Loop loop) {
        AtomicBoolean interrupted = new AtomicBoolean();
        CountDownLatch never = new CountDownLatch(1);
        HttpServlet blocked = Servlets.of((req, resp) -> {
            try {
                if (req.getParameter("sleep") != null) {
                    Thread.sleep(60_000);
                } else {
                    never.await();
                }
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        });
        HttpServlet interruptFlag = Servlets.of((req, resp) ->
                resp.getWriter().print(Thread.currentThread().isInterrupted() ? "interrupted" : "clean"));
        // One worker and no queue: a later request is served only if the interrupt freed that worker.
        try (TestServer server = TestServer.start(loop, b -> b.workers(1, 0)
                .requestTimeout(Duration.ofMillis(300))
                .servlet("blocked", blocked, "/blocked")
                .servlet("flag", interruptFlag, "/flag"))) {
            for (String target : List.of("/blocked", "/blocked?sleep")) {
                interrupted.set(false);
                assertEquals(503, get(server, target).status());
                await().atMost(Duration.ofSeconds(10)).untilTrue(interrupted);
                // The worker is free again, and the interrupt meant for the stuck dispatch did not follow it.
                await().atMost(Duration.ofSeconds(10)).until(() -> get(server, "/flag").status() == 200);
                assertEquals("clean", get(server, "/flag").bodyText());
            }
        }
    }

    @BothLoops
    @Timeout(90)
    void thousandsOfClientsAbortingUploadsAndDownloadsLeakNothing(Loop loop) throws Exception {
        byte[] piece = new byte[64 * 1024];
        HttpServlet upload = Servlets.of((req, resp) -> {
            byte[] buf = new byte[16 * 1024];
            long n = 0;
            for (int r; (r = req.getInputStream().read(buf)) >= 0; ) {
                n += r;
            }
            resp.getWriter().print(n);
        });
        HttpServlet download = Servlets.of((req, resp) -> {
            resp.setContentType("application/octet-stream");
            for (int i = 0; i < 160; i++) {
                resp.getOutputStream().write(piece);
            }
        });
        byte[] part = new byte[16 * 1024];
        try (TestServer server = TestServer.start(loop, b -> b.workers(16, 1000)
                .servlet("up", upload, "/up")
                .servlet("down", download, "/down")
                .servlet("ok", Servlets.text("ok"), "/ok"))) {
            // The warm-up is a burst of the same aborts, 100 at a time: the loops' buffer pools and caches grow
            // with concurrency, not with the number of faults. The baseline follows it; ten times as many aborts
            // after it show whether anything grows per fault.
            Client aborting = i -> {
                try (RawHttp c = server.raw()) {
                    if (i % 2 == 0) {
                        c.send("POST /up HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1048576\r\n\r\n");
                        c.send(part);
                        c.abort();
                    } else {
                        c.get("/down");
                        byte[] buf = new byte[8192];
                        int got = 0;
                        while (got < 16 * 1024) {
                            int n = c.readSome(buf);
                            assertTrue(n > 0, "the download started");
                            got += n;
                        }
                    }
                }
            };
            runConcurrently(1_000, 100, aborting);
            Resources.Snapshot baseline = warmUpAndBaseline(server, "/ok");
            // 2,000 clients, 100 at a time: half send 16 KiB of a declared 1 MiB upload and reset the connection,
            // half read 16 KiB of a 10 MiB download and close.
            runConcurrently(2_000, 100, aborting);
            nextRequestsAreServed(server, "/ok", "ok");
            Resources.awaitBackTo(baseline);
        }
    }
}
