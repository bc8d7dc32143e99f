package io.servletbridge.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
