package io.servletbridge.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BodyChunkTest {

    private static BodyChunk counting(AtomicInteger frees) {
        return new BodyChunk(ByteBuffer.allocate(4)) {
            @Override
            protected void free() {
                frees.incrementAndGet();
            }
        };
    }

    @Test
    void memoryGoesBackOnceHoweverOftenItIsReleased() {
        AtomicInteger frees = new AtomicInteger();
        BodyChunk chunk = counting(frees);
        chunk.release();
        chunk.release();
        assertEquals(1, frees.get());
    }

    @Test
    void releasesRacingFromManyThreadsFreeOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 200; round++) {
                AtomicInteger frees = new AtomicInteger();
                BodyChunk chunk = counting(frees);
                CountDownLatch go = new CountDownLatch(1);
                CountDownLatch done = new CountDownLatch(4);
                for (int t = 0; t < 4; t++) {
                    pool.execute(() -> {
                        try {
                            go.await();
                            chunk.release();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        } finally {
                            done.countDown();
                        }
                    });
                }
                go.countDown();
                done.await(10, TimeUnit.SECONDS);
                assertEquals(1, frees.get(), "round " + round);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void onlyLargePiecesFillingAQuarterOfTheirBufferAreLent() {
        // A full 64 KiB read (Netty's largest) and a quarter of a 32 KiB one (Undertow's) are lent.
        assertTrue(BodyChunk.worthLending(64 * 1024, 64 * 1024));
        assertTrue(BodyChunk.worthLending(8 * 1024, 32 * 1024));
        // Less than a quarter would pin more than four times its size.
        assertFalse(BodyChunk.worthLending(8 * 1024 - 1, 32 * 1024));
        // A small piece is copied even when it fills its buffer.
        assertTrue(BodyChunk.worthLending(4 * 1024, 4 * 1024));
        assertFalse(BodyChunk.worthLending(4 * 1024 - 1, 4 * 1024 - 1));
    }

    @Test
    void aLentChunkGivesItsMemoryBackOnce() {
        AtomicInteger returned = new AtomicInteger();
        BodyChunk chunk = BodyChunk.lent(ByteBuffer.allocateDirect(8), returned::incrementAndGet);
        chunk.release();
        chunk.release();
        assertEquals(1, returned.get());
    }
}
