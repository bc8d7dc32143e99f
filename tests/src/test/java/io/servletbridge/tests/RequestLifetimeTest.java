package io.servletbridge.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.servletbridge.Loop;
import io.servletbridge.background.BackgroundTasks;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;

/** Request and response objects belong to their exchange: once it ended, they refuse to be used (BackgroundTasks). */
class RequestLifetimeTest {
    private static final AtomicInteger SERVERS = new AtomicInteger();

    /** What a call did: {@code IllegalStateException}, another exception's class name, or what it returned. */
    private static String outcome(Callable<?> call) {
        try {
            return "returned " + call.call();
        } catch (IllegalStateException expected) {
            return "IllegalStateException";
        } catch (Exception | Error e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }

    @BothLoops
    void requestAndResponseRefuseUseAfterTheExchangeEnded(Loop loop) throws Exception {
        CountDownLatch exchangeOver = new CountDownLatch(1);
        CountDownLatch taskDone = new CountDownLatch(1);
        CountDownLatch nextEntered = new CountDownLatch(1);
        CountDownLatch nextMayFinish = new CountDownLatch(1);
        Map<String, String> outcomes = new ConcurrentHashMap<>();
        AtomicReference<String> gate = new AtomicReference<>("not reached");
        HttpServlet capture = Servlets.of((HttpServletRequest req, HttpServletResponse resp) -> {
            BackgroundTasks.of(req).run("stale-objects", () -> {
                try {
                    Servlets.await(exchangeOver);
                    // The client has read the whole response; the server may still be a moment away from
                    // marking the exchange ended, so give it a bounded moment before checking each method.
                    try {
                        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                                .until(() -> outcome(() -> req.getParameter("x")).equals("IllegalStateException"));
                        gate.set("ended");
                    } catch (ConditionTimeoutException e) {
                        gate.set("still usable 5 s after the response: getParameter "
                                + outcome(() -> req.getParameter("x")));
                    }
                    outcomes.put("req.getParameter", outcome(() -> req.getParameter("x")));
                    outcomes.put("req.getHeader", outcome(() -> req.getHeader("h")));
                    outcomes.put("resp.setHeader", outcome(() -> {
                        resp.setHeader("X-From-Task", "leaked");
                        return "no exception";
                    }));
                    outcomes.put("resp.getWriter", outcome(resp::getWriter));
                    outcomes.put("req.getInputStream", outcome(req::getInputStream));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    taskDone.countDown();
                }
            });
            // Touches neither body stream, so a later getWriter()/getInputStream() can only fail for being late.
            resp.setStatus(202);
        });
        HttpServlet next = Servlets.of((req, resp) -> {
            nextEntered.countDown();
            Servlets.await(nextMayFinish);
            resp.setContentType("text/plain;charset=UTF-8");
            resp.getWriter().print(req.getParameter("x") + " " + req.getHeader("h"));
        });
        try (TestServer server = TestServer.start(loop, b -> b
                .displayName("lifetime-" + loop.id() + "-" + SERVERS.incrementAndGet())
                .servlet("capture", capture, "/capture").servlet("next", next, "/next"));
             RawHttp c = server.raw()) {
            try {
                c.send("GET /capture?x=first HTTP/1.1\r\nHost: 127.0.0.1\r\nh: first\r\n\r\n");
                RawHttp.Response first = c.readFinal();
                assertEquals(202, first.status(), first.toString());
                // The next exchange on the same connection is in progress while the task tries the stale objects.
                c.send("GET /next?x=second HTTP/1.1\r\nHost: 127.0.0.1\r\nh: second\r\n\r\n");
                assertTrue(nextEntered.await(5, TimeUnit.SECONDS));
                exchangeOver.countDown();
                assertTrue(taskDone.await(8, TimeUnit.SECONDS), "the task did not finish");
            } finally {
                exchangeOver.countDown();
                nextMayFinish.countDown();
            }
            RawHttp.Response second = c.readFinal();
            assertEquals(200, second.status(), second.toString());
            assertEquals("second second", second.bodyText());
            assertNull(second.header("X-From-Task"), "a stale response object changed the next response");

            assertEquals("ended", gate.get());
            Map<String, String> expected = new TreeMap<>();
            for (String call : new String[] {"req.getParameter", "req.getHeader", "resp.setHeader",
                    "resp.getWriter", "req.getInputStream"}) {
                expected.put(call, "IllegalStateException");
            }
            assertEquals(expected, new TreeMap<>(outcomes));

            RawHttp.Response third;
            try (RawHttp fresh = server.raw()) {
                fresh.send("GET /next?x=third HTTP/1.1\r\nHost: 127.0.0.1\r\nh: third\r\n\r\n");
                third = fresh.readFinal();
            }
            assertEquals("third third", third.bodyText());
            assertNull(third.header("X-From-Task"));
        }
    }

    @BothLoops
    void streamsKeptPastTheExchangeWriteNothingIntoTheNextResponse(Loop loop) throws Exception {
        CountDownLatch exchangeOver = new CountDownLatch(1);
        CountDownLatch taskDone = new CountDownLatch(1);
        CountDownLatch nextEntered = new CountDownLatch(1);
        CountDownLatch nextMayFinish = new CountDownLatch(1);
        Map<String, String> outcomes = new ConcurrentHashMap<>();
        AtomicReference<String> gate = new AtomicReference<>("not reached");
        HttpServlet capture = Servlets.of((req, resp) -> {
            ServletInputStream in = req.getInputStream(); // taken, never read: the body is left to the container
            ServletOutputStream out = resp.getOutputStream();
            out.print("first");
            BackgroundTasks.of(req).run("stale-streams", () -> {
                try {
                    Servlets.await(exchangeOver);
                    try {
                        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                                .until(() -> outcome(() -> req.getParameter("x")).equals("IllegalStateException"));
                        gate.set("ended");
                    } catch (ConditionTimeoutException e) {
                        gate.set("still usable 5 s after the response");
                    }
                    outcomes.put("out.write", outcome(() -> {
                        out.write("LEAKED".getBytes(StandardCharsets.US_ASCII));
                        return "no exception";
                    }));
                    outcomes.put("out.flush", outcome(() -> {
                        out.flush();
                        return "no exception";
                    }));
                    outcomes.put("in.read", outcome(in::read));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    taskDone.countDown();
                }
            });
        });
        HttpServlet next = Servlets.of((req, resp) -> {
            nextEntered.countDown();
            Servlets.await(nextMayFinish);
            resp.setContentType("text/plain;charset=UTF-8");
            resp.getWriter().print("second");
            resp.flushBuffer();
            resp.getWriter().print(" and more");
        });
        try (TestServer server = TestServer.start(loop, b -> b
                .displayName("lifetime-" + loop.id() + "-" + SERVERS.incrementAndGet())
                .servlet("capture", capture, "/capture").servlet("next", next, "/next"));
             RawHttp c = server.raw()) {
            try {
                c.send("POST /capture?x=first HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello");
                RawHttp.Response first = c.readFinal();
                assertEquals(200, first.status(), first.toString());
                assertEquals("first", first.bodyText());
                c.send("GET /next HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                assertTrue(nextEntered.await(5, TimeUnit.SECONDS));
                exchangeOver.countDown();
                assertTrue(taskDone.await(8, TimeUnit.SECONDS), "the task did not finish");
            } finally {
                exchangeOver.countDown();
                nextMayFinish.countDown();
            }
            RawHttp.Response second = c.readFinal();
            assertEquals(200, second.status(), second.toString());
            assertTrue(second.complete(), second.toString());
            assertEquals("second and more", second.bodyText());
            assertTrue(c.silentFor(300), "stray bytes after the second response");

            assertEquals("ended", gate.get());
            for (String call : new String[] {"out.write", "out.flush", "in.read"}) {
                String got = outcomes.get(call);
                assertTrue(got != null && (got.equals("IllegalStateException") || got.startsWith("java.io.")),
                        call + " after the exchange ended must fail, got: " + got);
            }
        }
    }
}
