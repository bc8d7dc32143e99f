package io.servletbridge.undertow;

import io.servletbridge.spi.BodyChunk;
import io.servletbridge.spi.ExchangeEvents;

import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Records what the loop tells the bridge, and on which threads, for a test thread to take in order. */
final class RecordingEvents implements ExchangeEvents {

    static final Object END = "END";

    final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    final CopyOnWriteArrayList<String> threads = new CopyOnWriteArrayList<>();
    final AtomicInteger closes = new AtomicInteger();

    @Override
    public boolean onBodyData(BodyChunk chunk) {
        threads.add(Thread.currentThread().getName());
        // Kept as a copy: the loop's memory goes back at once, as the bridge's contract asks.
        ByteBuffer data = chunk.data();
        events.add(ByteBuffer.allocate(data.remaining()).put(data).flip());
        chunk.release();
        return false;
    }

    @Override
    public void onBodyEnd() {
        threads.add(Thread.currentThread().getName());
        events.add(END);
    }

    @Override
    public void onClosed(Throwable cause) {
        threads.add(Thread.currentThread().getName());
        closes.incrementAndGet();
        events.add(cause);
    }

    Object take() throws InterruptedException {
        Object event = events.poll(10, TimeUnit.SECONDS);
        if (event == null) {
            throw new AssertionError("no event within 10 s");
        }
        return event;
    }
}
