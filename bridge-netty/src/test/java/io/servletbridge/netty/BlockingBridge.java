package io.servletbridge.netty;

import io.servletbridge.spi.Exchange;
import io.servletbridge.spi.BodyChunk;
import io.servletbridge.spi.ExchangeEvents;
import io.servletbridge.spi.HttpFields;
import io.servletbridge.spi.ResponseHead;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The smallest stand-in for the bridge: a blocking read/write view of one exchange for a worker thread. It also
 * records every breach of the SPI's threading rules it can see into {@code violations}.
 */
final class BlockingBridge implements ExchangeEvents {
    private static final Object END = new Object();
    /** Set while this thread is inside a call into the exchange: no event may arrive then. */
    private static final ThreadLocal<Boolean> IN_CALL = ThreadLocal.withInitial(() -> false);

    final Exchange exchange;
    final CountDownLatch closed = new CountDownLatch(1);
    volatile Throwable closedCause;
    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final List<String> violations;

    private BlockingBridge(Exchange exchange, List<String> violations) {
        this.exchange = exchange;
        this.violations = violations;
    }

    /** Starts the exchange, as the bridge does inside {@code ExchangeHandler.handle}. */
    static BlockingBridge start(Exchange exchange, List<String> violations) {
        BlockingBridge bridge = new BlockingBridge(exchange, violations);
        bridge.checkLoopThread("handle");
        exchange.start(bridge);
        return bridge;
    }

    static ResponseHead head(int status, long contentLength, String... nameValues) {
        HttpFields fields = new HttpFields();
        for (int i = 0; i < nameValues.length; i += 2) {
            fields.add(nameValues[i], nameValues[i + 1]);
        }
        return new ResponseHead(status, null, fields, contentLength);
    }

    static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** The next piece of body, or null at its end. */
    ByteBuffer read() throws IOException, InterruptedException {
        call(exchange::demand);
        Object event = events.poll(10, TimeUnit.SECONDS);
        if (event == null) {
            throw new AssertionError("demand was never answered");
        }
        if (event instanceof Throwable t) {
            throw new IOException("exchange closed", t);
        }
        return event == END ? null : (ByteBuffer) event;
    }

    byte[] readAll() throws IOException, InterruptedException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (ByteBuffer chunk = read(); chunk != null; chunk = read()) {
            byte[] bytes = new byte[chunk.remaining()];
            chunk.get(bytes);
            all.write(bytes);
        }
        return all.toByteArray();
    }

    /** Writes and waits for the loop to report the bytes handed to the socket. */
    void write(ResponseHead head, ByteBuffer data, boolean last) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        call(() -> exchange.write(head, data, last, failure -> {
            checkLoopThread("write callback");
            if (failure == null) {
                done.complete(null);
            } else {
                done.completeExceptionally(failure);
            }
        }));
        done.get(10, TimeUnit.SECONDS);
    }

    @Override
    public boolean onBodyData(BodyChunk chunk) {
        checkLoopThread("onBodyData");
        // Kept as a copy: the loop's memory goes back at once, as the bridge's contract asks.
        ByteBuffer data = chunk.data();
        events.add(ByteBuffer.allocate(data.remaining()).put(data).flip());
        chunk.release();
        return false;
    }

    @Override
    public void onBodyEnd() {
        checkLoopThread("onBodyEnd");
        events.add(END);
    }

    @Override
    public void onClosed(Throwable cause) {
        checkLoopThread("onClosed");
        if (closed.getCount() == 0) {
            violations.add("onClosed called twice");
        }
        closedCause = cause;
        events.add(cause);
        closed.countDown();
    }

    private void call(Runnable r) {
        IN_CALL.set(true);
        try {
            r.run();
        } finally {
            IN_CALL.set(false);
        }
    }

    private void checkLoopThread(String what) {
        String thread = Thread.currentThread().getName();
        if (!thread.startsWith("servletbridge-netty-io")) {
            violations.add(what + " ran on " + thread);
        }
        if (IN_CALL.get()) {
            violations.add(what + " was delivered from inside a call into the exchange");
        }
    }
}
