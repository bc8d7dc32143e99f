package io.servletbridge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.servletbridge.Loop;
import jakarta.servlet.ServletRequestEvent;
import jakarta.servlet.ServletRequestListener;
import jakarta.servlet.http.HttpServlet;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;

/** Where application code runs (design invariant 1 and the offload section). */
class OffloadTest {

    private static boolean looksLikeALoopThread(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.contains("eventloop") || n.contains("nioevent") || n.contains("epoll") || n.contains("xnio")
                || n.contains("i/o") || n.contains("accept") || n.contains("netty") || n.contains("undertow");
    }

    /** The current thread's name, plus markers if it is a Netty or an XNIO (Undertow) I/O thread whatever its name. */
    private static String describeCurrentThread() {
        Thread t = Thread.currentThread();
        String name = t.getName();
        if (t instanceof io.netty.util.concurrent.FastThreadLocalThread) {
            name += " (a Netty thread)";
        }
        if (org.xnio.XnioIoThread.currentThread() != null) {
            name += " (an XNIO I/O thread)";
        }
        return name;
    }

    @BothLoops
    void applicationCodeRunsOnWorkersNeverOnLoopThreads(Loop loop) {
        List<String> threads = new CopyOnWriteArrayList<>();
        ServletRequestListener listener = new ServletRequestListener() {
            @Override
            public void requestInitialized(ServletRequestEvent sre) {
                threads.add("listener:" + describeCurrentThread());
            }
        };
        try (TestServer server = TestServer.start(loop, b -> b.listener(listener)
                .filter("f", Servlets.filter((req, resp, chain) -> {
                    threads.add("filter:" + describeCurrentThread());
                    chain.doFilter(req, resp);
                }), "/*")
                .servlet("s", Servlets.of((req, resp) -> {
                    threads.add("servlet:" + describeCurrentThread());
                    req.getInputStream().readAllBytes();
                    resp.getWriter().print("ok");
                }), "/s"))) {
            assertEquals("ok", Http.post(server.uri("/s"), "text/plain", "x".repeat(100_000)).body());
            assertEquals(3, threads.size(), threads.toString());
            for (String t : threads) {
                String name = t.substring(t.indexOf(':') + 1);
                assertTrue(name.startsWith("bridge-worker-"), t);
                assertFalse(looksLikeALoopThread(name), t);
                assertFalse(name.contains("(a"), t);
            }
        }
    }

    @BothLoops
    void aSaturatedPoolAnswers503WithRetryAfterAtOnce(Loop loop) throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        HttpServlet s = Servlets.of((req, resp) -> {
            calls.incrementAndGet();
            entered.countDown();
            Servlets.await(release);
            resp.getWriter().print("finally");
        });
        try (TestServer server = TestServer.start(loop, b -> b.workers(1, 0).servlet("s", s, "/s"))) {
            CompletableFuture<HttpResponse<String>> parked = Http.CLIENT.sendAsync(
                    Http.request(server.uri("/s")).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            try (RawHttp c = server.raw()) {
                long start = System.nanoTime();
                c.get("/s");
                RawHttp.Response r = c.readFinal();
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertEquals(503, r.status());
                assertNotNull(r.header("Retry-After"), r.toString());
                assertTrue(r.header("Retry-After").matches("\\d+|.*GMT"), r.header("Retry-After"));
                assertTrue(millis < 5000, "the 503 must not wait for a worker: " + millis + " ms");
            } finally {
                release.countDown();
            }
            assertEquals("finally", parked.get(10, TimeUnit.SECONDS).body());
            assertEquals(1, calls.get(), "the rejected request never reached the servlet");
            assertEquals("finally", Http.get(server.uri("/s")).body(), "the pool serves again once free");
        }
    }

    @BothLoops
    void aUserExecutorRunsTheRequests(Loop loop) {
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = new ThreadPoolExecutor(2, 2, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(10),
                r -> new Thread(r, "user-exec-" + n.incrementAndGet()));
        AtomicReference<String> thread = new AtomicReference<>();
        try (TestServer server = TestServer.start(loop, b -> b.executor(executor)
                .servlet("s", Servlets.of((req, resp) -> {
                    thread.set(Thread.currentThread().getName());
                    resp.getWriter().print("ok");
                }), "/s"))) {
            assertEquals("ok", Http.get(server.uri("/s")).body());
            assertTrue(thread.get().startsWith("user-exec-"), thread.get());
        } finally {
            executor.shutdownNow();
        }
    }

    @BothLoops
    void requestsRunWithTheConfiguredContextClassLoader(Loop loop) throws Exception {
        AtomicReference<ClassLoader> seen = new AtomicReference<>();
        try (URLClassLoader appLoader = new URLClassLoader("app-loader", new URL[0],
                OffloadTest.class.getClassLoader());
             TestServer server = TestServer.start(loop, b -> b.classLoader(appLoader)
                     .servlet("s", Servlets.of((req, resp) -> {
                         seen.set(Thread.currentThread().getContextClassLoader());
                         resp.getWriter().print("ok");
                     }), "/s"))) {
            assertEquals("ok", Http.get(server.uri("/s")).body());
            assertSame(appLoader, seen.get());
        }
    }

    @BothLoops
    void virtualThreadsRunRequestsOnJdk21(Loop loop) throws Exception {
        Assumptions.assumeTrue(Runtime.version().feature() >= 21, "needs JDK 21+");
        AtomicReference<Object> virtual = new AtomicReference<>();
        try (TestServer server = TestServer.start(loop, b -> b.virtualThreads(100)
                .servlet("s", Servlets.of((req, resp) -> {
                    virtual.set(Thread.class.getMethod("isVirtual").invoke(Thread.currentThread()));
                    resp.getWriter().print("ok");
                }), "/s"))) {
            assertEquals("ok", Http.get(server.uri("/s")).body());
            assertEquals(Boolean.TRUE, virtual.get());
        }
    }

    @BothLoops
    void virtualThreadsOnAnOlderJdkFailStartClearly(Loop loop) {
        Assumptions.assumeTrue(Runtime.version().feature() < 21, "only on JDK 17-20");
        RuntimeException e = assertThrows(RuntimeException.class, () -> TestServer.builder(loop)
                .virtualThreads(100).servlet("s", Servlets.text("ok"), "/s").start().stop());
        String message = String.valueOf(e.getMessage());
        assertTrue(message.toLowerCase(Locale.ROOT).contains("virtual") && message.contains("21"),
                "the message says what is needed: " + message);
    }

    @BothLoops
    void mdcDoesNotLeakFromOneRequestToTheNext(Loop loop) {
        HttpServlet s = Servlets.of((req, resp) -> {
            String before = org.slf4j.MDC.get("user");
            org.slf4j.MDC.put("user", req.getParameter("user"));
            resp.getWriter().print(before);
        });
        // One worker: both requests run on the same thread.
        try (TestServer server = TestServer.start(loop, b -> b.workers(1, 10).servlet("s", s, "/s"))) {
            assertEquals("null", Http.get(server.uri("/s?user=alice")).body());
            assertEquals("null", Http.get(server.uri("/s?user=bob")).body(), "alice's MDC leaked into bob's request");
        }
    }

    @BothLoops
    void oneLoopThreadServesOthersWhileWorkersWaitOnSlowClients(Loop loop) throws Exception {
        CountDownLatch reading = new CountDownLatch(1);
        HttpServlet upload = Servlets.of((req, resp) -> {
            var in = req.getInputStream();
            in.read();
            reading.countDown();
            resp.getWriter().print(in.readAllBytes().length + 1);
        });
        HttpServlet download = Servlets.of((req, resp) -> resp.getOutputStream().write(new byte[8 * 1024 * 1024]));
        try (TestServer server = TestServer.start(loop, b -> b.ioThreads(1)
                .servlet("up", upload, "/up").servlet("down", download, "/down")
                .servlet("ok", Servlets.text("ok"), "/ok"));
             RawHttp slowUpload = server.raw();
             RawHttp slowDownload = server.raw()) {
            slowUpload.send("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nx");
            assertTrue(reading.await(10, TimeUnit.SECONDS));
            slowDownload.get("/down"); // and never read
            for (int i = 0; i < 5; i++) {
                assertEquals("ok", Http.get(server.uri("/ok")).body(), "request " + i);
            }
            slowUpload.send("123456789");
            assertEquals("10", slowUpload.readFinal().bodyText());
        }
    }

    @BothLoops
    void aBoundedQueueHoldsRequestsUntilAWorkerIsFree(Loop loop) throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        HttpServlet s = Servlets.of((req, resp) -> {
            if (calls.incrementAndGet() == 1) {
                entered.countDown();
                Servlets.await(release);
            }
            resp.getWriter().print("served");
        });
        try (TestServer server = TestServer.start(loop, b -> b.workers(1, 1).servlet("s", s, "/s"));
             RawHttp first = server.raw();
             RawHttp queued = server.raw();
             RawHttp rejected = server.raw()) {
            first.get("/s");
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            queued.get("/s");
            assertTrue(queued.silentFor(300), "the queued request waits for the worker");
            rejected.get("/s");
            RawHttp.Response r = rejected.readFinal();
            assertEquals(503, r.status(), "worker busy and queue full");
            assertNotNull(r.header("Retry-After"));
            release.countDown();
            assertEquals("served", first.readFinal().bodyText());
            assertEquals("served", queued.readFinal().bodyText());
            assertEquals(2, calls.get());
        }
    }
}
