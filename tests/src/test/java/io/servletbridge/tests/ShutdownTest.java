package io.servletbridge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.servletbridge.BridgeServer;
import io.servletbridge.Loop;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Graceful stop (design invariant 5, BridgeServer#stop). */
class ShutdownTest {

    @BothLoops
    void stopLetsAnExchangeInProgressFinish(Loop loop) throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger destroyed = new AtomicInteger();
        HttpServlet s = new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                entered.countDown();
                try {
                    Servlets.await(release);
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                resp.getWriter().print("finished");
            }

            @Override
            public void destroy() {
                destroyed.incrementAndGet();
            }
        };
        BridgeServer server = TestServer.builder(loop).servlet("s", s, "/s").start();
        int port = server.port();
        try (RawHttp c = RawHttp.connect(port)) {
            c.get("/s");
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> server.stop(Duration.ofSeconds(20)));
            // Stop waits for the exchange; new connections are no longer accepted meanwhile.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> refuses(port));
            assertEquals(0, destroyed.get(), "the servlet is not destroyed while it serves");
            release.countDown();
            RawHttp.Response r = c.readFinal();
            assertEquals(200, r.status());
            assertEquals("finished", r.bodyText());
            stopping.get(20, TimeUnit.SECONDS);
            assertEquals(1, destroyed.get());
        }
        server.stop();
        assertEquals(1, destroyed.get(), "stop is idempotent");
        assertThrows(ConnectException.class, () -> new Socket(RawHttp.LOOPBACK, port).close());
    }

    @BothLoops
    void requestsArrivingDuringTheGracePeriodGet503AndClose(Loop loop) throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        HttpServlet s = Servlets.of((req, resp) -> {
            if (req.getParameter("slow") != null) {
                entered.countDown();
                Servlets.await(release);
            }
            resp.getWriter().print("done");
        });
        BridgeServer server = TestServer.builder(loop).servlet("s", s, "/s").start();
        int port = server.port();
        try (RawHttp busy = RawHttp.connect(port); RawHttp idle = RawHttp.connect(port)) {
            // A kept-alive connection that has served one request and now sits idle.
            idle.get("/s");
            assertEquals("done", idle.readFinal().bodyText());
            busy.get("/s?slow=1");
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> server.stop(Duration.ofSeconds(20)));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> refuses(port));

            // A new request on the open connection is refused cleanly, and the connection is not kept.
            idle.get("/s");
            RawHttp.Response refused = idle.readFinal();
            assertEquals(503, refused.status());
            assertEquals("close", refused.header("Connection"));
            assertTrue(idle.closedByPeer(), "the connection closes after the 503");

            // The request in flight completes, and its connection is not kept either.
            release.countDown();
            RawHttp.Response finished = busy.readFinal();
            assertEquals(200, finished.status());
            assertEquals("done", finished.bodyText());
            assertEquals("close", finished.header("Connection"));
            stopping.get(20, TimeUnit.SECONDS);
        } finally {
            release.countDown();
            server.stop();
        }
    }

    @BothLoops
    void stopGivesUpOnAStuckExchangeAfterTheGracePeriod(Loop loop) throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        HttpServlet stuck = Servlets.of((req, resp) -> {
            entered.countDown();
            never.await(60, TimeUnit.SECONDS);
        });
        BridgeServer server = TestServer.builder(loop).servlet("s", stuck, "/s").start();
        try (RawHttp c = RawHttp.connect(server.port())) {
            c.get("/s");
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            long start = System.nanoTime();
            server.stop(Duration.ofMillis(500));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis < 8000, "stop(500 ms) took " + millis + " ms");
            assertTrue(c.closedByPeer(), "the client is not left hanging");
        } finally {
            never.countDown();
        }
    }

    /** Whether a new connection is refused, closed at once, or answered 503 (a draining server may say so). */
    private static boolean refuses(int port) {
        try (Socket s = new Socket(RawHttp.LOOPBACK, port)) {
            s.setSoTimeout(2000);
            s.getOutputStream().write("GET /s HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
            byte[] head = s.getInputStream().readNBytes(12);
            return head.length < 12 || new String(head, java.nio.charset.StandardCharsets.ISO_8859_1).endsWith("503");
        } catch (java.net.SocketTimeoutException accepted) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
