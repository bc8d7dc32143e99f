package io.servletbridge.undertow;

import io.servletbridge.spi.Exchange;
import io.servletbridge.spi.ExchangeHandler;
import io.servletbridge.spi.HttpFields;
import io.servletbridge.spi.LoopConfig;
import io.servletbridge.spi.LoopProvider;
import io.servletbridge.spi.LoopServer;
import io.servletbridge.spi.RequestHead;
import io.servletbridge.spi.ResponseHead;
import io.servletbridge.spi.WriteCallback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Smoke tests of the Undertow loop against tiny hand-written exchange handlers (no servlet layer). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UndertowLoopTest {

    private static final String IO_THREAD = "bridge-undertow I/O";

    private final ExecutorService workers = Executors.newCachedThreadPool();
    private LoopServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(Duration.ofSeconds(1));
        }
        workers.shutdownNow();
    }

    private int start(ExchangeHandler handler) throws Exception {
        return start(LoopConfig.defaults(), handler);
    }

    private int start(LoopConfig config, ExchangeHandler handler) throws Exception {
        LoopProvider provider = ServiceLoader.load(LoopProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("undertow"))
                .findFirst().orElseThrow();
        server = provider.start(config, handler);
        assertTrue(server.port() > 0);
        return server.port();
    }

    // ---- (1) fixed body via java.net.http, headers exactly the handler's plus Content-Length ----

    @Test
    void getAnsweredWithFixedBodyAndOnlyTheBridgesHeaders() throws Exception {
        AtomicReference<String> handlerThread = new AtomicReference<>();
        int port = start(ex -> {
            handlerThread.set(Thread.currentThread().getName());
            ex.start(new RecordingEvents());
            ex.write(head(200, 5, "Content-Type", "text/plain", "X-Bridge", "yes"), bytes("hello"), true,
                    WriteCallback.NONE);
        });
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/x")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(200, response.statusCode());
        assertEquals("hello", response.body());
        assertEquals(Set.of("content-type", "x-bridge", "content-length"),
                response.headers().map().keySet().stream().map(String::toLowerCase).collect(Collectors.toSet()));
        assertEquals("5", response.headers().firstValue("content-length").orElseThrow());
        assertTrue(handlerThread.get().startsWith(IO_THREAD), handlerThread.get());
    }

    @Test
    void requestHeadCarriesTheRawTargetAndConnectionFacts() throws Exception {
        CompletableFuture<RequestHead> seen = new CompletableFuture<>();
        int port = start(ex -> {
            seen.complete(ex.request());
            ex.start(new RecordingEvents());
            ex.write(head(200, 0), bytes(""), true, WriteCallback.NONE);
        });
        try (RawHttp c = new RawHttp(port)) {
            c.send("GET /a%20b;p=1/%2F?x=%41+y&z HTTP/1.1\r\nHost: h\r\nx-lower: 1\r\nX-Multi: a\r\nX-Multi: b\r\n\r\n");
            assertEquals(200, c.read().status());
        }
        RequestHead head = seen.get(5, TimeUnit.SECONDS);
        assertEquals("GET", head.method());
        assertEquals("/a%20b;p=1/%2F?x=%41+y&z", head.target());
        assertEquals("HTTP/1.1", head.protocol());
        assertEquals("http", head.scheme());
        assertEquals(0, head.contentLength());
        assertEquals(List.of("a", "b"), head.headers().getAll("x-multi"));
        assertEquals("1", head.headers().get("X-Lower"));
        assertEquals(port, head.local().getPort());
        assertEquals("127.0.0.1", head.remote().getAddress().getHostAddress());
    }

    // ---- (2) echo, demanded chunk by chunk from a plain thread, unknown length -> chunked ----

    @Test
    void echoesFiveMebibytesChunkByChunk() throws Exception {
        AtomicInteger largestChunk = new AtomicInteger();
        List<String> eventThreads = new CopyOnWriteArrayList<>();
        int port = start(ex -> {
            RecordingEvents events = new RecordingEvents();
            ex.start(events);
            workers.execute(() -> {
                echo(ex, events, largestChunk);
                eventThreads.addAll(events.threads);
            });
        });
        byte[] upload = new byte[5 * 1024 * 1024];
        new Random(42).nextBytes(upload);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<byte[]> response = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/echo"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(upload)).build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertEquals(200, response.statusCode());
        assertArrayEquals(upload, response.body());
        assertTrue(response.headers().firstValue("content-length").isEmpty());
        assertTrue(largestChunk.get() <= 32 * 1024, "one demand reads at most one pooled buffer (32 KiB)");
        assertTrue(eventThreads.stream().allMatch(t -> t.startsWith(IO_THREAD)), eventThreads.toString());
    }

    private static void echo(Exchange ex, RecordingEvents events, AtomicInteger largestChunk) {
        ResponseHead head = head(200, -1, "Content-Type", "application/octet-stream");
        try {
            for (;;) {
                ex.demand();
                Object event = events.take();
                if (event instanceof ByteBuffer chunk) {
                    largestChunk.accumulateAndGet(chunk.remaining(), Math::max);
                    assertNull(await(ex, head, chunk, false));
                    head = null;
                } else if (event == RecordingEvents.END) {
                    await(ex, head, bytes(""), true);
                    return;
                } else {
                    return;
                }
            }
        } catch (Throwable t) {
            ex.abort(t);
        }
    }

    @Test
    void slowReaderParksTheWriter() throws Exception {
        int chunk = 1 << 20;
        int chunks = 32;
        AtomicInteger written = new AtomicInteger();
        CompletableFuture<Throwable> finished = new CompletableFuture<>();
        int port = start(ex -> {
            ex.start(new RecordingEvents());
            workers.execute(() -> {
                try {
                    for (int i = 0; i < chunks; i++) {
                        byte[] block = new byte[chunk];
                        Arrays.fill(block, (byte) i);
                        Throwable failure = await(ex, i == 0 ? head(200, (long) chunk * chunks) : null,
                                ByteBuffer.wrap(block), i == chunks - 1);
                        if (failure != null) {
                            finished.complete(failure);
                            return;
                        }
                        written.incrementAndGet();
                    }
                    finished.complete(null);
                } catch (Exception e) {
                    finished.complete(e);
                }
            });
        });
        try (RawHttp c = new RawHttp(port)) {
            c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            Thread.sleep(500);
            assertTrue(written.get() < chunks, "a client that does not read must park the writer");
            assertFalse(finished.isDone());
            byte[] body = c.read().body();
            assertEquals(chunk * chunks, body.length);
            for (int i = 0; i < chunks; i++) {
                assertEquals((byte) i, body[i * chunk]);
                assertEquals((byte) i, body[i * chunk + chunk - 1]);
            }
        }
        assertNull(finished.get(10, TimeUnit.SECONDS));
    }

    // ---- (3) pipelining ----

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        int port = start(ex -> {
            ex.start(new RecordingEvents());
            String target = ex.request().target();
            // The first answer is late on purpose: order must not depend on timing.
            long delay = target.equals("/first") ? 200 : 0;
            ex.loop().schedule(() -> ex.write(head(200, target.length()), bytes(target), true, WriteCallback.NONE),
                    delay, TimeUnit.MILLISECONDS);
        });
        try (RawHttp c = new RawHttp(port)) {
            c.send("GET /first HTTP/1.1\r\nHost: x\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("/first", c.read().text());
            assertEquals("/second", c.read().text());
        }
    }

    // ---- (4) limits: what Undertow answers by itself ----

    @Test
    void oversizedHeadsAreRefusedAndTheConnectionClosed() throws Exception {
        AtomicInteger handled = new AtomicInteger();
        int port = start(ex -> {
            handled.incrementAndGet();
            ex.start(new RecordingEvents());
            ex.write(head(200, 2), bytes("ok"), true, WriteCallback.NONE);
        });
        // Header block over maxHeaderBytes (16 KiB): the validator answers 431 (RFC 6585 5) and closes.
        try (RawHttp c = new RawHttp(port)) {
            c.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
            RawHttp.Response r = c.read();
            assertEquals(431, r.status());
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByServer());
        }
        // More than maxHeaderCount (100) fields: also 431 and close.
        try (RawHttp c = new RawHttp(port)) {
            StringBuilder many = new StringBuilder("GET / HTTP/1.1\r\nHost: x\r\n");
            for (int i = 0; i < 100; i++) {
                many.append("X-").append(i).append(": v\r\n");
            }
            c.send(many.append("\r\n").toString());
            assertEquals(431, c.read().status());
            assertTrue(c.closedByServer());
        }
        // Request line over maxRequestLine (8 KiB) but within the header budget: the loop answers 414 itself.
        try (RawHttp c = new RawHttp(port)) {
            c.send("GET /" + "a".repeat(9_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Response r = c.read();
            assertEquals(414, r.status());
            assertTrue(c.closedByServer());
        }
        // Garbage instead of a request line: 400 and close.
        try (RawHttp c = new RawHttp(port)) {
            c.send("HELLO\r\n\r\n");
            assertEquals(400, c.read().status());
            assertTrue(c.closedByServer());
        }
        assertEquals(0, handled.get());
        // Within limits, all is well.
        try (RawHttp c = new RawHttp(port)) {
            c.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(8_000) + "\r\n\r\n");
            assertEquals("ok", c.read().text());
        }
    }

    // ---- (5) Expect: 100-continue ----

    @Test
    void continueIsSentOnlyWhenTheHandlerAsks() throws Exception {
        RecordingEvents events = new RecordingEvents();
        CompletableFuture<Exchange> arrived = new CompletableFuture<>();
        int port = start(ex -> {
            ex.start(events);
            arrived.complete(ex);
        });
        try (RawHttp c = new RawHttp(port)) {
            c.send("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            Exchange ex = arrived.get(5, TimeUnit.SECONDS);

            c.socket.setSoTimeout(300);
            assertThrows(SocketTimeoutException.class, c::line, "no 100 Continue before the handler asks");
            c.socket.setSoTimeout(10_000);

            ex.sendContinue();
            ex.demand();
            RawHttp.Response interim = c.read(false);
            assertEquals(100, interim.status());
            c.send("hello");

            StringBuilder received = new StringBuilder();
            for (Object e = events.take(); e != RecordingEvents.END; e = events.take()) {
                received.append(StandardCharsets.UTF_8.decode((ByteBuffer) e));
                ex.demand();
            }
            assertEquals("hello", received.toString());
            ex.sendContinue(); // too late to matter: must not produce a second interim response
            ex.write(head(200, 5), bytes("HELLO"), true, WriteCallback.NONE);
            RawHttp.Response r = c.read();
            assertEquals(200, r.status());
            assertEquals("HELLO", r.text());
        }
    }

    @Test
    void answeringWithoutContinueClosesTheConnection() throws Exception {
        int port = start(ex -> {
            ex.start(new RecordingEvents());
            ex.write(head(413, 0), bytes(""), true, WriteCallback.NONE);
        });
        try (RawHttp c = new RawHttp(port)) {
            c.send("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            RawHttp.Response r = c.read();
            assertEquals(413, r.status());
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByServer());
        }
    }

    // ---- (6) client disconnect mid-upload ----

    @Test
    void clientClosingMidUploadEndsTheExchangeOnce() throws Exception {
        RecordingEvents events = new RecordingEvents();
        CompletableFuture<Exchange> arrived = new CompletableFuture<>();
        int port = start(ex -> {
            ex.start(events);
            arrived.complete(ex);
        });
        RawHttp c = new RawHttp(port);
        c.send("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n");
        c.send(new byte[1000]);
        Exchange ex = arrived.get(5, TimeUnit.SECONDS);
        int received = 0;
        while (received < 1000) {
            ex.demand();
            received += ((ByteBuffer) events.take()).remaining();
        }
        ex.demand();
        c.close();

        Object closed = events.take();
        assertInstanceOf(IOException.class, closed);
        CompletableFuture<Throwable> late = new CompletableFuture<>();
        ex.write(head(200, 2), bytes("ok"), true, late::complete);
        assertInstanceOf(IOException.class, late.get(5, TimeUnit.SECONDS));
        ex.demand();
        ex.abort(new RuntimeException("after the fact"));
        Thread.sleep(200);
        assertEquals(1, events.closes.get());
        assertTrue(events.events.isEmpty());
    }

    // ---- (7) unread request bodies ----

    @Test
    void unreadSmallBodyIsDrainedAndTheNextRequestServed() throws Exception {
        int port = start(UndertowLoopTest::answerWithoutReading);
        try (RawHttp c = new RawHttp(port)) {
            c.send("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789"
                    + "GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("POST /a", c.read().text());
            assertEquals("GET /b", c.read().text());

            // The body arrives only after the response: drained from the read listener.
            c.send("POST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n");
            assertEquals("POST /c", c.read().text());
            c.send("0123456789GET /d HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("GET /d", c.read().text());

            c.send("POST /e HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
                    + "GET /f HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("POST /e", c.read().text());
            assertEquals("GET /f", c.read().text());
        }
    }

    @Test
    void unreadLargeBodyClosesTheConnectionInsteadOfBeingParsed() throws Exception {
        AtomicInteger handled = new AtomicInteger();
        int port = start(ex -> {
            handled.incrementAndGet();
            answerWithoutReading(ex);
        });
        // Declared length beyond the drain budget: closed right after the response.
        try (RawHttp c = new RawHttp(port)) {
            c.send("POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: " + (10 << 20) + "\r\n\r\n");
            workers.execute(() -> sendQuietly(c, repeat("GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n", 10 << 20)));
            assertEquals("POST /big", c.read().text());
            assertTrue(c.closedByServer());
        }
        // Chunked, so the length is unknown: drained up to the budget, then closed.
        try (RawHttp c = new RawHttp(port)) {
            c.send("POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
            String chunk = Integer.toHexString(1 << 20) + "\r\n";
            workers.execute(() -> {
                for (int i = 0; i < 10; i++) {
                    sendQuietly(c, (chunk + "GET /smuggled HTTP/1.1\r\n".repeat(1)).getBytes(StandardCharsets.ISO_8859_1));
                    sendQuietly(c, new byte[(1 << 20) - 24]);
                    sendQuietly(c, "\r\n".getBytes(StandardCharsets.ISO_8859_1));
                }
            });
            assertEquals("POST /chunked", c.read().text());
            assertTrue(c.closedByServer());
        }
        assertEquals(2, handled.get());
    }

    private static void answerWithoutReading(Exchange ex) {
        ex.start(new RecordingEvents());
        String text = ex.request().method() + " " + ex.request().target();
        ex.write(head(200, text.length()), bytes(text), true, WriteCallback.NONE);
    }

    // ---- framing corner cases ----

    @Test
    void headKeepsContentLengthAndSendsNoBody() throws Exception {
        int port = start(ex -> {
            ex.start(new RecordingEvents());
            ex.write(head(200, 5), bytes("hello"), true, WriteCallback.NONE);
        });
        try (RawHttp c = new RawHttp(port)) {
            c.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Response r = c.read(false);
            assertEquals("5", r.header("Content-Length"));
            c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("hello", c.read().text(), "no stray HEAD body before the next response");
        }
    }

    @Test
    void noContentDropsTheBodyTheBridgeWrote() throws Exception {
        int port = start(ex -> {
            ex.start(new RecordingEvents());
            boolean empty = ex.request().target().equals("/204");
            ex.write(head(empty ? 204 : 200, empty ? -1 : 2), bytes(empty ? "oops" : "ok"), true, WriteCallback.NONE);
        });
        try (RawHttp c = new RawHttp(port)) {
            c.send("GET /204 HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Response r = c.read();
            assertEquals(204, r.status());
            assertNull(r.header("Content-Length"));
            assertNull(r.header("Transfer-Encoding"));
            c.send("GET /next HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("ok", c.read().text());
        }
    }

    @Test
    void http10KeepAliveIsAnnouncedAndHonoured() throws Exception {
        int port = start(ex -> {
            ex.start(new RecordingEvents());
            ex.write(head(200, 2), bytes("ok"), true, WriteCallback.NONE);
        });
        try (RawHttp c = new RawHttp(port)) {
            c.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            RawHttp.Response r = c.read();
            assertEquals("keep-alive", r.header("Connection"));
            c.send("GET / HTTP/1.0\r\n\r\n");
            assertEquals("ok", c.read().text());
            assertTrue(c.closedByServer(), "plain HTTP/1.0 closes");
        }
    }

    @Test
    void abortTruncatesTheResponseAndTellsTheBridge() throws Exception {
        RecordingEvents events = new RecordingEvents();
        RuntimeException cause = new RuntimeException("servlet blew up");
        int port = start(ex -> {
            ex.start(events);
            ex.write(head(200, 10), bytes("hello"), false, WriteCallback.NONE);
            ex.abort(cause);
        });
        try (RawHttp c = new RawHttp(port)) {
            c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Response r = c.read(false);
            assertEquals("10", r.header("Content-Length"));
            assertEquals("hello", new String(c.readToClose(), StandardCharsets.UTF_8));
        }
        assertEquals(cause, events.take());
    }

    // ---- loop() ----

    @Test
    void loopSchedulesOnTheExchangesIoThread() throws Exception {
        CompletableFuture<String> handlerThread = new CompletableFuture<>();
        CompletableFuture<String> timerThread = new CompletableFuture<>();
        AtomicInteger cancelledRuns = new AtomicInteger();
        AtomicInteger ticks = new AtomicInteger();
        CompletableFuture<Void> ticked = new CompletableFuture<>();
        int port = start(ex -> {
            handlerThread.complete(Thread.currentThread().getName());
            ex.start(new RecordingEvents());
            ScheduledFuture<?> never = ex.loop().schedule(cancelledRuns::incrementAndGet, 50, TimeUnit.MILLISECONDS);
            assertTrue(never.cancel(false));
            AtomicReference<ScheduledFuture<?>> rate = new AtomicReference<>();
            rate.set(ex.loop().scheduleAtFixedRate(() -> {
                if (ticks.incrementAndGet() == 3) {
                    rate.get().cancel(false);
                    ticked.complete(null);
                }
            }, 10, 10, TimeUnit.MILLISECONDS));
            ex.loop().schedule(() -> {
                timerThread.complete(Thread.currentThread().getName());
                ex.write(head(200, 2), bytes("ok"), true, WriteCallback.NONE);
            }, 100, TimeUnit.MILLISECONDS);
        });
        try (RawHttp c = new RawHttp(port)) {
            long t0 = System.nanoTime();
            c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("ok", c.read().text());
            assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(100));
        }
        assertEquals(handlerThread.get(), timerThread.get(5, TimeUnit.SECONDS));
        ticked.get(5, TimeUnit.SECONDS);
        Thread.sleep(100);
        assertEquals(3, ticks.get());
        assertEquals(0, cancelledRuns.get());
    }

    // ---- stop(grace) ----

    @Test
    void stopFinishesExchangesInFlightAndStopsAccepting() throws Exception {
        CompletableFuture<Void> arrived = new CompletableFuture<>();
        int port = start(ex -> {
            ex.start(new RecordingEvents());
            arrived.complete(null);
            ex.loop().schedule(() -> ex.write(head(200, 4), bytes("late"), true, WriteCallback.NONE),
                    500, TimeUnit.MILLISECONDS);
        });
        try (RawHttp c = new RawHttp(port)) {
            c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            arrived.get(5, TimeUnit.SECONDS);
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> server.stop(Duration.ofSeconds(5)));
            assertEquals("late", c.read().text());
            stopped.get(10, TimeUnit.SECONDS);
            assertTrue(c.closedByServer());
        }
        server = null;
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
    }

    // ---- helpers ----

    static ResponseHead head(int status, long length, String... nameValues) {
        HttpFields fields = new HttpFields();
        for (int i = 0; i < nameValues.length; i += 2) {
            fields.add(nameValues[i], nameValues[i + 1]);
        }
        return new ResponseHead(status, null, fields, length);
    }

    static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes from a plain thread and waits for the loop's verdict. */
    static Throwable await(Exchange ex, ResponseHead head, ByteBuffer data, boolean last) throws Exception {
        CompletableFuture<Throwable> done = new CompletableFuture<>();
        ex.write(head, data, last, done::complete);
        return done.get(10, TimeUnit.SECONDS);
    }

    private static byte[] repeat(String text, int size) {
        byte[] unit = text.getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) {
            out[i] = unit[i % unit.length];
        }
        return out;
    }

    private static void sendQuietly(RawHttp c, byte[] bytes) {
        try {
            OutputStream out = c.socket.getOutputStream();
            out.write(bytes);
            out.flush();
        } catch (IOException expected) {
            // the server is allowed to hang up on an unread body
        }
    }
}
