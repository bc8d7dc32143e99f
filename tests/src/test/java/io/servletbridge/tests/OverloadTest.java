package io.servletbridge.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import io.servletbridge.Loop;
import jakarta.servlet.http.HttpServlet;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Timeout;

/**
 * A burst far beyond what the server can take (issue 4): two workers and a queue of four against 2,000 uploads of
 * 256 KiB, 200 at a time, to a servlet that reads slowly.
 *
 * <p>What the client must see: every request gets an answer, either the servlet's 200 or {@code 503} with
 * {@code Retry-After} from the loop thread; none ends without a response. The 503s must never have reached
 * application code, which the servlet proves by counting its entries: exactly one per 200.
 *
 * <p>What proves "bounded": the 2,000 bodies are 500 MiB, the 200 in flight at any moment 50 MiB, against a
 * {@code -Xmx160m} heap that also holds the test's own clients. A server that buffered bodies of requests it cannot
 * serve (a queue of pending requests, or reading a rejected body to its end into memory) would grow with the
 * number of connections times the body size. A bound per connection instead is the 64 KiB read-ahead of a served
 * body or the 64 KiB drain of a rejected one. So a background sampler in this JVM (where the server runs) records,
 * during the burst: the live heap, read as heap used right after a full collection it requests (heap used at a
 * random moment is mostly garbage, so its peak says nothing), and direct memory as the JDK ({@code direct} buffer
 * pool) and Netty (its own counter, and the pooled allocator's arenas) each account it. The assertions: live heap
 * grows by less than {@value #LIVE_HEAP_BOUND_MIB} MiB (below the 50 MiB of the bodies in flight, even though the
 * 200 clients' own 64 KiB read buffers alone take 12.5 MiB of it), direct memory by less than
 * {@value #DIRECT_BOUND_MIB} MiB. Afterwards the server recovers on its own (the next 50 requests are served) and
 * threads, descriptors and direct memory return to the baseline ({@link Resources}).
 */
class OverloadTest {
    static final int BODY = 256 * 1024;
    static final int REQUESTS = 2_000;
    static final int PARALLEL = 200;
    static final int LIVE_HEAP_BOUND_MIB = 40;
    static final int DIRECT_BOUND_MIB = 24;

    @BothLoops
    @Timeout(180)
    void aBurstBeyondTheQueueGets503AtOnceWithBoundedMemoryAndTheServerRecovers(Loop loop) throws Exception {
        AtomicInteger entries = new AtomicInteger();
        HttpServlet slowReader = Servlets.of((req, resp) -> {
            entries.incrementAndGet();
            byte[] buf = new byte[8 * 1024];
            long n = 0;
            InputStream in = req.getInputStream();
            for (int r; (r = in.read(buf)) >= 0; ) {
                n += r;
                // The work that makes this servlet slow: it holds its worker for a while per piece read.
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            resp.getWriter().print(n);
        });
        byte[] body = new byte[BODY];
        byte[] head = ("POST /slow HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + BODY + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        try (TestServer server = TestServer.start(loop, b -> b.workers(2, 4)
                .servlet("slow", slowReader, "/slow")
                .servlet("ok", Servlets.text("ok"), "/ok"))) {
            // A burst of the same kind first, half as long: pools, arenas and caches grow with concurrency (and
            // Netty's per-thread caches with the buffer sizes a connection's reads grew to), not with the count.
            AtomicInteger ok = new AtomicInteger();
            AtomicInteger busy = new AtomicInteger();
            AtomicInteger lost = new AtomicInteger();
            AtomicInteger writeFailed = new AtomicInteger();
            FaultTest.Client upload = i -> {
                try (RawHttp c = server.raw()) {
                    c.send(head);
                    try {
                        for (int off = 0; off < BODY; off += 16 * 1024) {
                            c.send(java.util.Arrays.copyOfRange(body, off, off + 16 * 1024));
                        }
                    } catch (UncheckedIOException e) {
                        // The server answered 503 and closed: a client that notices stops sending and reads.
                        writeFailed.incrementAndGet();
                    }
                    RawHttp.Response r;
                    try {
                        r = c.readFinalOrNull();
                    } catch (UncheckedIOException e) {
                        r = null;
                    }
                    if (r == null) {
                        lost.incrementAndGet();
                    } else if (r.status() == 200) {
                        assertEquals(Integer.toString(BODY), r.bodyText());
                        ok.incrementAndGet();
                    } else {
                        assertEquals(503, r.status(), r.toString());
                        assertEquals("1", r.header("Retry-After"), r.toString());
                        busy.incrementAndGet();
                    }
                }
            };
            FaultTest.runConcurrently(REQUESTS / 2, PARALLEL, upload);
            Resources.Snapshot baseline = FaultTest.warmUpAndBaseline(server, "/ok");
            System.out.printf("warm-up: ok %d busy %d lost %d writeFailed %d%n", ok.get(), busy.get(), lost.get(),
                    writeFailed.get());
            ok.set(0);
            busy.set(0);
            lost.set(0);
            writeFailed.set(0);
            entries.set(0);

            MemorySampler sampler = MemorySampler.start();
            try {
                FaultTest.runConcurrently(REQUESTS, PARALLEL, upload);
            } finally {
                sampler.stop();
            }
            System.out.printf("%s: ok %d busy %d lost %d writeFailed %d entries %d; %s%n", loop, ok.get(), busy.get(),
                    lost.get(), writeFailed.get(), entries.get(), sampler);
            assertEquals(0, lost.get(), "requests that got no response at all");
            assertEquals(REQUESTS, ok.get() + busy.get());
            assertTrue(ok.get() > 0 && busy.get() > 0, "some served, some refused: ok " + ok + ", busy " + busy);
            assertEquals(ok.get(), entries.get(), "a refused request never reached the servlet");
            assertTrue(sampler.liveHeapGrowth() < LIVE_HEAP_BOUND_MIB * 1024L * 1024, sampler.toString());
            assertTrue(sampler.directGrowth() < DIRECT_BOUND_MIB * 1024L * 1024, sampler.toString());

            for (int i = 0; i < 50; i++) {
                RawHttp.Response r = FaultTest.get(server, "/ok");
                assertEquals(200, r.status(), "request " + i + " after the burst: " + r);
            }
            Resources.awaitBackTo(baseline);
        }
    }

    /**
     * A refused upload larger than the drain limit ({@code LoopConfig.unreadBodyDrain}, 64 KiB): the server will not
     * keep the connection, but closing it at once, with the client's body still arriving, makes the kernel reset the
     * connection, and a client still sending (the JDK's HttpClient, most clients) then often loses the 503 it had not
     * read yet: about a quarter of them before the lingering close. With it, the server shuts down its output after
     * the 503 and reads and discards the body (up to {@code LoopConfig.LINGER_BYTES} and {@code LINGER_TIME}) before
     * closing, so every client gets its answer.
     */
    @BothLoops
    @Timeout(120)
    void aRefusedUploadLargerThanTheDrainLimitStillGetsIts503(Loop loop) throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger uploadsRun = new AtomicInteger();
        byte[] body = new byte[BODY];
        try (TestServer server = TestServer.start(loop, b -> b.workers(1, 0)
                .servlet("hold", Servlets.of((req, resp) -> {
                    entered.countDown();
                    Servlets.await(release);
                }), "/hold")
                .servlet("upload", Servlets.of((req, resp) -> uploadsRun.incrementAndGet()), "/upload")
                .servlet("ok", Servlets.text("ok"), "/ok"))) {
            RawHttp holder = server.raw();
            try {
                holder.get("/hold");
                assertTrue(entered.await(10, TimeUnit.SECONDS), "the only worker is taken");
                HttpClient client = HttpClient.newHttpClient();
                HttpRequest upload = HttpRequest.newBuilder(server.uri("/upload"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
                for (int i = 0; i < 100; i++) {
                    HttpResponse<String> r = client.send(upload, HttpResponse.BodyHandlers.ofString());
                    assertEquals(503, r.statusCode(), "upload " + i);
                    assertEquals("1", r.headers().firstValue("Retry-After").orElse(null));
                }
                // A raw client that sends everything before it reads: the 503, then the end of the stream.
                for (int i = 0; i < 20; i++) {
                    try (RawHttp c = server.raw()) {
                        c.send("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + BODY + "\r\n\r\n");
                        c.send(body);
                        RawHttp.Response r = c.readFinal();
                        assertEquals(503, r.status(), r.toString());
                        assertEquals("close", r.header("Connection"));
                        assertTrue(c.peekEof(), "the server closed after the 503");
                    }
                }
            } finally {
                release.countDown();
                holder.close();
            }
            assertEquals(0, uploadsRun.get(), "no refused upload reached its servlet");
            // The held request ends once released; then the worker serves again.
            await().atMost(Duration.ofSeconds(10)).until(() -> FaultTest.get(server, "/ok").status() == 200);
        }
    }

    /**
     * Samples memory on a thread of its own until stopped (at most two minutes): live heap after a requested full
     * collection every 250 ms, direct memory every 5 ms. The first readings are the baseline the growth is measured
     * from.
     */
    static final class MemorySampler implements Runnable {
        private final Thread thread = new Thread(this, "memory-sampler");
        private volatile boolean stopped;
        private final long liveHeapBefore;
        private final long directBefore;
        private final AtomicLong liveHeapPeak = new AtomicLong();
        private final AtomicLong directPeak = new AtomicLong();
        private final AtomicInteger collections = new AtomicInteger();

        private MemorySampler() {
            liveHeapBefore = liveHeap();
            directBefore = direct();
        }

        static MemorySampler start() {
            MemorySampler s = new MemorySampler();
            s.thread.setDaemon(true);
            s.thread.start();
            return s;
        }

        @Override
        public void run() {
            long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            long nextGc = 0;
            while (!stopped && System.nanoTime() < end) {
                directPeak.accumulateAndGet(direct(), Math::max);
                if (System.nanoTime() >= nextGc) {
                    liveHeapPeak.accumulateAndGet(liveHeap(), Math::max);
                    collections.incrementAndGet();
                    nextGc = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(250);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
        }

        void stop() throws InterruptedException {
            stopped = true;
            thread.join(10_000);
        }

        long liveHeapGrowth() {
            return liveHeapPeak.get() - liveHeapBefore;
        }

        long directGrowth() {
            return directPeak.get() - directBefore;
        }

        /** Heap used right after a full collection: what is reachable, not garbage waiting to be collected. */
        private static long liveHeap() {
            System.gc();
            return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        }

        /** Every direct byte, whoever allocated it: the JDK's buffer pool and Netty's allocations without a cleaner. */
        private static long direct() {
            long jdk = 0;
            for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
                if (pool.getName().equals("direct")) {
                    jdk = pool.getMemoryUsed();
                }
            }
            return jdk + Math.max(0, PlatformDependent.usedDirectMemory());
        }

        @Override
        public String toString() {
            return String.format("live heap %d -> peak %d MiB over %d collections, direct %d -> peak %d MiB "
                    + "(Netty pooled arenas now %d MiB)",
                    liveHeapBefore >> 20, liveHeapPeak.get() >> 20, collections.get(), directBefore >> 20,
                    directPeak.get() >> 20, PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory() >> 20);
        }
    }
}
