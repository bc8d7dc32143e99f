package io.servletbridge.netty;

import static io.servletbridge.netty.BlockingBridge.ascii;
import static io.servletbridge.netty.BlockingBridge.head;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.servletbridge.spi.ExchangeHandler;
import io.servletbridge.spi.LoopConfig;
import io.servletbridge.spi.LoopProvider;
import io.servletbridge.spi.LoopServer;
import io.servletbridge.spi.RequestHead;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NettyLoopProviderTest {

    static {
        LeakRecorder.install();
    }

    @AfterAll
    static void noBufferLeaked() throws InterruptedException {
        assertEquals(List.of(), LeakRecorder.collect());
    }

    /** Anything a handler or worker saw go wrong; every test ends by asserting it stayed empty. */
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final ExecutorService workers = Executors.newCachedThreadPool();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private LoopServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(Duration.ofSeconds(2));
        }
        workers.shutdownNow();
        assertEquals(List.of(), violations);
    }

    private int start(ExchangeHandler handler) throws Exception {
        server = new NettyLoopProvider().start(LoopConfig.defaults(), handler);
        return server.port();
    }

    private interface Work {
        void run() throws Exception;
    }

    /** Runs bridge-side work on a worker, as the bridge would: never on the loop. */
    private void offload(Work work) {
        workers.execute(() -> {
            try {
                work.run();
            } catch (Exception | AssertionError e) {
                violations.add("worker failed: " + e);
            }
        });
    }

    private URI uri(int port, String target) {
        return URI.create("http://127.0.0.1:" + port + target);
    }

    @Test
    void serviceLoaderFindsTheProvider() {
        assertTrue(ServiceLoader.load(LoopProvider.class).stream()
                .anyMatch(p -> p.get().name().equals("netty")));
    }

    @Test
    void getIsAnsweredWithAFixedLengthBody() throws Exception {
        AtomicReference<RequestHead> seen = new AtomicReference<>();
        int port = start(exchange -> {
            seen.set(exchange.request());
            BlockingBridge bridge = BlockingBridge.start(exchange, violations);
            offload(() -> bridge.write(head(200, 5, "Content-Type", "text/plain"), ascii("hello"), true));
        });

        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri(port, "/a%20b?x=1")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(200, response.statusCode());
        assertEquals("hello", response.body());
        assertEquals("5", response.headers().firstValue("content-length").orElseThrow());
        assertEquals("text/plain", response.headers().firstValue("content-type").orElseThrow());
        RequestHead request = seen.get();
        assertEquals("GET", request.method());
        assertEquals("/a%20b?x=1", request.target());
        assertEquals("HTTP/1.1", request.protocol());
        assertEquals("http", request.scheme());
        assertEquals(0, request.contentLength());
        assertEquals("127.0.0.1:" + port, request.headers().get("host"));
        assertEquals(port, request.local().getPort());
        assertTrue(request.remote().getAddress().isLoopbackAddress());
    }

    @Test
    void echoStreamsAFiveMebibyteBodyBackChunkByChunk() throws Exception {
        AtomicInteger chunksSeen = new AtomicInteger();
        int port = start(exchange -> {
            BlockingBridge bridge = BlockingBridge.start(exchange, violations);
            offload(() -> {
                boolean first = true;
                for (ByteBuffer chunk = bridge.read(); chunk != null; chunk = bridge.read()) {
                    chunksSeen.incrementAndGet();
                    bridge.write(first ? head(200, -1) : null, chunk, false);
                    first = false;
                }
                bridge.write(first ? head(200, -1) : null, ByteBuffer.allocate(0), true);
            });
        });
        byte[] body = new byte[5 * 1024 * 1024];
        new Random(42).nextBytes(body);

        HttpResponse<byte[]> fixed = http.send(HttpRequest.newBuilder(uri(port, "/echo"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, fixed.statusCode());
        assertTrue(fixed.headers().firstValue("content-length").isEmpty(), "unknown length goes out chunked");
        assertArrayEquals(body, fixed.body());
        assertTrue(chunksSeen.get() > 1, "the body arrives in pieces, not aggregated");

        // Without a length the client sends chunked; the same connection is reused.
        HttpResponse<byte[]> chunked = http.send(HttpRequest.newBuilder(uri(port, "/echo"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertArrayEquals(body, chunked.body());
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderOneAtATime() throws Exception {
        AtomicBoolean slowDone = new AtomicBoolean();
        int port = start(exchange -> {
            String target = exchange.request().target();
            if (target.equals("/fast") && !slowDone.get()) {
                violations.add("/fast started before /slow wrote its response");
            }
            BlockingBridge bridge = BlockingBridge.start(exchange, violations);
            offload(() -> {
                if (target.equals("/slow")) {
                    Thread.sleep(300);
                    slowDone.set(true);
                }
                bridge.write(head(200, target.length()), ascii(target), true);
            });
        });
        try (RawHttpClient client = new RawHttpClient(port)) {
            client.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("/slow", client.read().bodyText());
            assertEquals("/fast", client.read().bodyText());
            // Still open for more.
            client.send("GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            RawHttpClient.Response last = client.read();
            assertEquals("close", last.header("Connection"));
            assertTrue(client.atEof());
        }
    }

    @Test
    void malformedRequestsAreRefusedWithoutTheBridge() throws Exception {
        AtomicInteger handled = new AtomicInteger();
        int port = start(exchange -> {
            handled.incrementAndGet();
            BlockingBridge.start(exchange, violations);
            exchange.abort(new IllegalStateException("not expected"));
        });
        StringBuilder manyFields = new StringBuilder("GET / HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 150; i++) {
            manyFields.append("X-F").append(i).append(": v\r\n");
        }
        assertRefused(port, "this is not http\r\n\r\n", 400);
        assertRefused(port, "GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414);
        assertRefused(port, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n", 431);
        assertRefused(port, manyFields.append("\r\n").toString(), 431);
        assertEquals(0, handled.get());
    }

    private void assertRefused(int port, String request, int status) throws IOException {
        try (RawHttpClient client = new RawHttpClient(port)) {
            client.send(request + "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttpClient.Response response = client.read();
            assertEquals(status, response.status());
            assertEquals("close", response.header("Connection"));
            assertTrue(response.header("Content-Type").startsWith("text/plain"));
            assertTrue(response.bodyText().startsWith(String.valueOf(status)));
            assertTrue(client.atEof(), "nothing after the refusal, not even the request behind it");
        }
    }

    @Test
    void continueIsSentOnlyWhenTheBridgeAsksForTheBody() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        int port = start(exchange -> {
            BlockingBridge bridge = BlockingBridge.start(exchange, violations);
            offload(() -> {
                go.await();
                exchange.sendContinue();
                byte[] body = bridge.readAll();
                bridge.write(head(200, body.length), ByteBuffer.wrap(body), true);
            });
        });
        try (RawHttpClient client = new RawHttpClient(port)) {
            client.send("POST /up HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            client.socket().setSoTimeout(300);
            assertThrows(SocketTimeoutException.class, client::readLine, "no 100 before the bridge asks");
            client.socket().setSoTimeout(10_000);
            go.countDown();
            assertEquals("HTTP/1.1 100 Continue", client.readLine());
            assertEquals("", client.readLine());
            client.send("hello");
            RawHttpClient.Response response = client.read();
            assertEquals(200, response.status());
            assertEquals("hello", response.bodyText());
            assertNull(response.header("Connection"));
        }
    }

    @Test
    void clientLeavingMidUploadClosesTheExchange() throws Exception {
        CompletableFuture<BlockingBridge> started = new CompletableFuture<>();
        CountDownLatch someBodyRead = new CountDownLatch(1);
        int port = start(exchange -> {
            BlockingBridge bridge = BlockingBridge.start(exchange, violations);
            started.complete(bridge);
            offload(() -> {
                try {
                    while (bridge.read() != null) {
                        someBodyRead.countDown();
                    }
                    violations.add("the body should not have ended normally");
                } catch (IOException expected) {
                    // the client went away while we were reading
                }
            });
        });
        try (RawHttpClient client = new RawHttpClient(port)) {
            client.send("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n");
            client.send(new byte[64 * 1024]);
            assertTrue(someBodyRead.await(10, TimeUnit.SECONDS));
        }
        BlockingBridge bridge = started.get(10, TimeUnit.SECONDS);
        assertTrue(bridge.closed.await(10, TimeUnit.SECONDS), "onClosed after the client left");
        assertInstanceOf(IOException.class, bridge.closedCause);
        ExecutionException late = assertThrows(ExecutionException.class,
                () -> bridge.write(head(200, 0), ByteBuffer.allocate(0), true));
        assertInstanceOf(IOException.class, late.getCause());
    }

    @Test
    void smallUnreadBodyIsDrainedAndTheConnectionKept() throws Exception {
        int port = start(exchange -> {
            BlockingBridge bridge = BlockingBridge.start(exchange, violations);
            offload(() -> bridge.write(head(200, 2), ascii("ok"), true));
        });
        try (RawHttpClient client = new RawHttpClient(port)) {
            client.send("POST /ignored HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + "z".repeat(1000)
                    + "HEAD /next HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("ok", client.read().bodyText());
            RawHttpClient.Response headResponse = client.read(true);
            assertEquals("2", headResponse.header("Content-Length"), "HEAD keeps the length but sends no body");
            client.send("GET /again HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("ok", client.read().bodyText(), "no stray body bytes were sent for HEAD");
        }
    }

    @Test
    void http10WithUnknownLengthIsDelimitedByClosing() throws Exception {
        int port = start(exchange -> {
            BlockingBridge bridge = BlockingBridge.start(exchange, violations);
            offload(() -> {
                bridge.write(head(200, -1), ascii("part1-"), false);
                bridge.write(null, ascii("part2"), true);
            });
        });
        try (RawHttpClient client = new RawHttpClient(port)) {
            client.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            RawHttpClient.Response response = client.read();
            assertEquals("close", response.header("Connection"));
            assertNull(response.header("Transfer-Encoding"));
            assertEquals("part1-part2", response.bodyText());
        }
    }

    @Test
    void idleConnectionsCloseButBusyOnesWait() throws Exception {
        server = new NettyLoopProvider().start(LoopConfig.defaults().withIdleTimeout(Duration.ofMillis(200)),
                exchange -> {
                    BlockingBridge bridge = BlockingBridge.start(exchange, violations);
                    offload(() -> {
                        Thread.sleep(600);
                        bridge.write(head(200, 4), ascii("slow"), true);
                    });
                });
        try (RawHttpClient idle = new RawHttpClient(server.port());
             RawHttpClient busy = new RawHttpClient(server.port())) {
            busy.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(idle.atEof(), "a connection without a request is closed when idle");
            assertEquals("slow", busy.read().bodyText(), "a slow exchange outlives the idle timeout");
            assertTrue(busy.atEof(), "and the connection closes once idle again");
        }
    }

    @Test
    void stopWaitsForExchangesInProgress() throws Exception {
        CountDownLatch handling = new CountDownLatch(1);
        int port = start(exchange -> {
            BlockingBridge bridge = BlockingBridge.start(exchange, violations);
            handling.countDown();
            offload(() -> {
                Thread.sleep(400);
                bridge.write(head(200, 4), ascii("done"), true);
            });
        });
        try (RawHttpClient busy = new RawHttpClient(port); RawHttpClient idle = new RawHttpClient(port)) {
            busy.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(handling.await(10, TimeUnit.SECONDS));
            long begin = System.nanoTime();
            server.stop(Duration.ofSeconds(5));
            server = null;
            assertTrue(System.nanoTime() - begin < TimeUnit.SECONDS.toNanos(4), "stop returns once the exchange ends");
            RawHttpClient.Response response = busy.read();
            assertEquals("done", response.bodyText());
            assertEquals("close", response.header("Connection"));
            assertTrue(busy.atEof());
            assertTrue(idle.atEof());
        }
    }
}
