package io.servletbridge.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.servletbridge.Loop;
import io.servletbridge.spi.BodyChunk;
import io.servletbridge.spi.Exchange;
import io.servletbridge.spi.ExchangeEvents;
import io.servletbridge.spi.HttpFields;
import io.servletbridge.spi.LoopConfig;
import io.servletbridge.spi.LoopProvider;
import io.servletbridge.spi.LoopServer;
import io.servletbridge.spi.ResponseHead;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ServiceLoader;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Exchange#writeFile} on both loops, below the servlet layer: file pieces in every framing, mixed with buffer
 * pieces, and the loop closing the file it was handed in every outcome.
 */
class FileWriteTest {
    private static final int SIZE = 300_000;

    @TempDir
    static Path dir;
    static Path file;
    static byte[] content;
    private static final ExecutorService WORKERS = Executors.newCachedThreadPool();

    @BeforeAll
    static void createFile() throws IOException {
        content = new byte[SIZE];
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < SIZE; i++) {
            content[i] = (byte) r.nextInt(256);
        }
        file = dir.resolve("piece.bin");
        Files.write(file, content);
    }

    @AfterAll
    static void stopWorkers() {
        WORKERS.shutdownNow();
    }

    /** Runs {@code answer} on a worker for every request, as the bridge does. */
    private static LoopServer serve(Loop loop, Consumer<Exchange> answer) throws Exception {
        for (LoopProvider p : ServiceLoader.load(LoopProvider.class)) {
            if (p.name().equals(loop.id())) {
                return p.start(LoopConfig.defaults(), exchange -> {
                    exchange.start(new Events());
                    WORKERS.execute(() -> answer.accept(exchange));
                });
            }
        }
        throw new IllegalStateException("no provider " + loop);
    }

    @FunctionalInterface
    private interface Client {
        void run(RawHttp c) throws Exception;
    }

    /** Serves with {@code answer} while {@code client} talks to the server over one connection. */
    private static void exchange(Loop loop, Consumer<Exchange> answer, Client client) throws Exception {
        LoopServer server = serve(loop, answer);
        try (RawHttp c = RawHttp.connect(server.port())) {
            client.run(c);
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    private static ResponseHead head(long length) {
        HttpFields fields = new HttpFields();
        fields.add("Content-Type", "application/octet-stream");
        return new ResponseHead(200, null, fields, length);
    }

    private static FileChannel open() {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Completes with the callback's failure, or null on success. */
    private static CompletableFuture<Throwable> outcome() {
        return new CompletableFuture<>();
    }

    @BothLoops
    void aFilePieceEndsAFixedLengthResponse(Loop loop) throws Exception {
        CompletableFuture<Throwable> written = outcome();
        FileChannel[] handed = new FileChannel[1];
        exchange(loop, ex -> {
            handed[0] = open();
            ex.writeFile(head(SIZE - 1000), handed[0], 1000, SIZE - 1000, true, written::complete);
        }, c -> {
            c.get("/");
            RawHttp.Response r = c.readFinal();
            assertEquals(200, r.status());
            assertEquals("length", r.framing());
            assertArrayEquals(java.util.Arrays.copyOfRange(content, 1000, SIZE), r.body());
            assertNull(written.get(10, TimeUnit.SECONDS));
            assertFalse(handed[0].isOpen(), "the loop closed the file it was handed");
            // The connection stays usable.
            c.get("/");
            assertEquals(SIZE - 1000, c.readFinal().body().length);
        });
    }

    @BothLoops
    void filePiecesGoBetweenBufferPiecesInChunkedFraming(Loop loop) throws Exception {
        CompletableFuture<Throwable> written = outcome();
        FileChannel[] handed = new FileChannel[2];
        exchange(loop, ex -> {
            handed[0] = open();
            handed[1] = open();
            ex.write(head(-1), ByteBuffer.wrap("start|".getBytes(StandardCharsets.US_ASCII)), false, f -> { });
            ex.writeFile(null, handed[0], 0, 100_000, false, f -> { });
            ex.write(null, ByteBuffer.wrap("|middle|".getBytes(StandardCharsets.US_ASCII)), false, f -> { });
            ex.writeFile(null, handed[1], 200_000, 100_000, false, f -> { });
            ex.write(null, ByteBuffer.wrap("|end".getBytes(StandardCharsets.US_ASCII)), true, written::complete);
        }, c -> {
            c.get("/");
            RawHttp.Response r = c.readFinal();
            assertEquals("chunked", r.framing());
            assertTrue(r.complete());
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.writeBytes("start|".getBytes(StandardCharsets.US_ASCII));
            expected.write(content, 0, 100_000);
            expected.writeBytes("|middle|".getBytes(StandardCharsets.US_ASCII));
            expected.write(content, 200_000, 100_000);
            expected.writeBytes("|end".getBytes(StandardCharsets.US_ASCII));
            assertArrayEquals(expected.toByteArray(), r.body());
            assertNull(written.get(10, TimeUnit.SECONDS));
            assertFalse(handed[0].isOpen());
            assertFalse(handed[1].isOpen());
        });
    }

    @BothLoops
    void anEmptyLastFilePieceEndsAChunkedResponse(Loop loop) throws Exception {
        CompletableFuture<Throwable> written = outcome();
        FileChannel[] handed = new FileChannel[1];
        exchange(loop, ex -> {
            handed[0] = open();
            ex.write(head(-1), ByteBuffer.wrap("only this".getBytes(StandardCharsets.US_ASCII)), false, f -> { });
            ex.writeFile(null, handed[0], 5, 0, true, written::complete);
        }, c -> {
            c.get("/");
            RawHttp.Response r = c.readFinal();
            assertEquals("chunked", r.framing());
            assertTrue(r.complete(), r.toString());
            assertEquals("only this", r.bodyText());
            assertNull(written.get(10, TimeUnit.SECONDS));
            assertFalse(handed[0].isOpen());
        });
    }

    @BothLoops
    void aFileShorterThanPromisedCutsTheResponse(Loop loop) throws Exception {
        CompletableFuture<Throwable> written = outcome();
        FileChannel[] handed = new FileChannel[1];
        exchange(loop, ex -> {
            handed[0] = open();
            // Promises 10,000 bytes more than the file has.
            ex.writeFile(head(SIZE + 10_000), handed[0], 0, SIZE + 10_000, true, written::complete);
        }, c -> {
            c.get("/");
            RawHttp.Response r = c.readFinal();
            assertFalse(r.complete(), "the client must see the body cut short, not a complete one: " + r);
            assertNotNull(written.get(10, TimeUnit.SECONDS), "the write failed");
            assertFalse(handed[0].isOpen());
        });
    }

    @BothLoops
    void aHeadResponseClosesTheFileAndSendsNoBody(Loop loop) throws Exception {
        CompletableFuture<Throwable> written = outcome();
        FileChannel[] handed = new FileChannel[1];
        exchange(loop, ex -> {
            if (ex.request().method().equals("HEAD")) {
                handed[0] = open();
                ex.writeFile(head(SIZE), handed[0], 0, SIZE, true, written::complete);
            } else {
                ex.write(head(2), ByteBuffer.wrap("ok".getBytes(StandardCharsets.US_ASCII)), true, f -> { });
            }
        }, c -> {
            c.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Response r = c.readHead();
            assertEquals(String.valueOf(SIZE), r.header("Content-Length"));
            c.get("/");
            assertEquals("ok", c.readFinal().bodyText(), "no file bytes came before the next response");
            assertNull(written.get(10, TimeUnit.SECONDS));
            assertFalse(handed[0].isOpen());
        });
    }

    @BothLoops
    void aFileWrittenAfterTheEndIsRefusedAndClosed(Loop loop) throws Exception {
        CompletableFuture<Throwable> refused = outcome();
        CountDownLatch answered = new CountDownLatch(1);
        FileChannel[] handed = new FileChannel[1];
        exchange(loop, ex -> {
            ex.write(head(2), ByteBuffer.wrap("ok".getBytes(StandardCharsets.US_ASCII)), true, f -> answered.countDown());
            try {
                answered.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            handed[0] = open();
            ex.writeFile(null, handed[0], 0, 10, true, refused::complete);
        }, c -> {
            c.get("/");
            assertEquals("ok", c.readFinal().bodyText());
            assertNotNull(refused.get(10, TimeUnit.SECONDS));
            assertFalse(handed[0].isOpen());
        });
    }

    /** GET requests only: nothing to read; a piece that arrives anyway goes straight back. */
    private static final class Events implements ExchangeEvents {
        @Override
        public boolean onBodyData(BodyChunk chunk) {
            chunk.release();
            return false;
        }

        @Override
        public void onBodyEnd() {
        }

        @Override
        public void onClosed(Throwable cause) {
        }
    }
}
