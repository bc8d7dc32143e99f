package io.servletbridge.servlet;

import io.servletbridge.spi.Exchange;
import io.servletbridge.spi.ResponseHead;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The response body as a blocking stream that hands whole buffers to the loop.
 *
 * <p>Small writes collect in the response buffer, so a one-byte write costs a copy, not a hop to the loop thread.
 * A full buffer (or flush, or the end) commits the response and passes the buffer to the loop, which owns it from
 * then on. Bytes handed over but not yet taken by the socket count as in flight; past {@link #MAX_IN_FLIGHT} the
 * writing thread parks until the loop reports progress. That is the whole of the backpressure: memory per response
 * stays near one buffer plus the in-flight bound, however slow the client.
 */
final class ResponseBodyStream extends ServletOutputStream {
    /**
     * Bytes handed to the loop and not yet written to the socket, above which a writer waits. Where loop and workers
     * share a core the writer fills this before the loop runs, so it sets how often a large download parks: 1 MiB
     * pinned to one core cost 24.6 context switches per request at 64 KiB, 15.2 at 128 KiB (CPU per request about
     * 11 % lower), 41 at 32 KiB; 1 MiB was slower again (the pieces no longer stay in cache between the two copies).
     */
    static final int MAX_IN_FLIGHT = 128 * 1024;
    /** The largest piece a large write is handed to the loop in. */
    static final int DIRECT_SLICE = DirectSlabs.SIZE;
    private static final byte[] EMPTY = new byte[0];

    private final Exchange exchange;
    private final BridgeResponse response;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition progress = lock.newCondition();
    private final LoopSignal writerWake;
    private final DirectSlabs slabs = DirectSlabs.SHARED;
    /**
     * The response buffer's size as the application sees it ({@code getBufferSize}). The array behind it grows to it
     * on demand: most responses are far smaller than the buffer, and zeroing a full buffer per request was the
     * largest allocation on the plaintext path.
     */
    private int capacity;
    private byte[] buf = EMPTY;
    private int count;
    private long written;
    private boolean committed;
    /** Whether the head has been handed to the loop; guarded by lock, unlike committed, for the request timeout. */
    private boolean headSent;
    private boolean closed;
    private long inFlight;
    /** A blocking writer is parked in awaitRoom until in-flight bytes drop to half the bound. */
    private boolean writerParked;
    private Throwable failure;
    /** The failure came from the connection (a failed write or the loop closing it), not from the container. */
    private boolean connectionLost;
    /** Non-blocking mode (Servlet 6.1, 5.7): set once, with an async request. */
    private WriteListener listener;
    /** The application saw isReady() == false and waits for onWritePossible. */
    private boolean writeInterest;
    private boolean errorFired;

    ResponseBodyStream(Exchange exchange, BridgeResponse response, int bufferSize) {
        this.exchange = exchange;
        this.response = response;
        this.writerWake = new LoopSignal(lock, progress, exchange.loop());
        this.capacity = bufferSize;
    }

    boolean isCommitted() {
        return committed;
    }

    boolean isClosed() {
        return closed;
    }

    int bufferSize() {
        return capacity;
    }

    /** Bytes the application wrote that are still in the buffer. */
    int buffered() {
        return count;
    }

    /** Bytes accepted from the application so far, sent or buffered. */
    long written() {
        return written;
    }

    void resize(int size) {
        if (count > 0 || committed) {
            throw new IllegalStateException("Buffer size cannot change after content was written");
        }
        capacity = Math.max(size, 512);
        buf = EMPTY;
    }

    void clearBuffer() {
        if (committed) {
            throw new IllegalStateException("Response already committed");
        }
        written -= count;
        count = 0;
    }

    /** The loop gave up on the exchange: every later write fails at once. */
    void onClosed(Throwable cause) {
        lock.lock();
        try {
            if (failure == null) {
                failure = cause;
                connectionLost = true;
            }
            progress.signalAll();
            wakeListenerLocked();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The request timed out: every later write fails, and a writer parked for room wakes up to fail.
     *
     * @return whether the response head had already been handed to the loop (too late for another answer)
     */
    boolean failForTimeout(Throwable cause) {
        lock.lock();
        try {
            if (failure == null) {
                failure = cause;
            }
            progress.signalAll();
            return headSent;
        } finally {
            lock.unlock();
        }
    }

    private void wakeListenerLocked() {
        if (listener != null && writeInterest && (failure != null || inFlight <= MAX_IN_FLIGHT)) {
            writeInterest = false;
            response.exchange().listenerCallback(this::listenerTurn);
        }
    }

    private void listenerTurn() {
        Throwable error;
        lock.lock();
        try {
            error = failure;
        } finally {
            lock.unlock();
        }
        if (error != null) {
            notifyListenerError(error);
            return;
        }
        try {
            listener.onWritePossible();
        } catch (IOException | RuntimeException e) {
            // The listener's own failure: it hears of it, and the exchange ends with an error.
            notifyListenerError(e);
            throw new IllegalStateException("WriteListener failed: " + e, e);
        }
    }

    /** Tells the write listener, once, that writing failed. Runs on a container thread. */
    void notifyListenerError(Throwable cause) {
        WriteListener l;
        lock.lock();
        try {
            if (listener == null || errorFired) {
                return;
            }
            errorFired = true;
            l = listener;
        } finally {
            lock.unlock();
        }
        try {
            l.onError(cause);
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(ResponseBodyStream.class).warn("WriteListener.onError failed", e);
        }
    }

    @Override
    public void write(int b) throws IOException {
        if (!writable()) {
            return;
        }
        if (count == capacity) {
            send(false);
        }
        if (count == buf.length) {
            grow(count + 1);
        }
        buf[count++] = (byte) b;
        written++;
        afterWrite();
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0 || !writable()) {
            return;
        }
        long limit = response.declaredLength();
        if (limit >= 0 && written + len > limit) {
            // Never more than the declared length on the wire; the excess has nowhere to go.
            len = (int) Math.max(0, limit - written);
        }
        while (len > 0) {
            if (count == capacity) {
                send(false);
            }
            if (count == 0 && len >= capacity) {
                // A large write skips the buffer: one copy, into a direct slab the loop writes to the socket as it
                // is, and one hop to the loop per slab, where going through the buffer would cost a hop per
                // buffer-full and a second copy on the loop.
                int n = Math.min(len, DIRECT_SLICE);
                written += n;
                // The piece that reaches the declared length ends the response itself: no empty last write after.
                boolean last = limit >= 0 && written == limit;
                closed |= last;
                // Before taking a slab, so a failed stream takes none; a failure from here on is caught in send().
                checkFailure();
                ResponseHead head = headIfUncommitted(limit);
                ByteBuffer slab = slabs.take();
                slab.put(b, off, n).flip();
                send(head, slab, last, true);
                off += n;
                len -= n;
                continue;
            }
            int n = Math.min(len, capacity - count);
            if (count + n > buf.length) {
                grow(count + n);
            }
            System.arraycopy(b, off, buf, count, n);
            count += n;
            written += n;
            off += n;
            len -= n;
        }
        afterWrite();
    }

    @Override
    public void write(ByteBuffer src) throws IOException {
        if (src.hasArray()) {
            int n = src.remaining();
            write(src.array(), src.arrayOffset() + src.position(), n);
            src.position(src.position() + n);
        } else {
            byte[] copy = new byte[src.remaining()];
            src.get(copy);
            write(copy, 0, copy.length);
        }
    }

    /**
     * Sends {@code count} bytes of {@code file} from {@code position} as the next part of the body, handing the file
     * to the loop to send without copying ({@link Exchange#writeFile}). Whatever the application wrote before goes
     * first. The stream owns {@code file} from this call on: the loop, or this method on failure, closes it.
     *
     * <p>No bytes of the file count as in flight: the loop holds no memory for them, so there is nothing for the
     * 128 KiB bound to limit, and a writer that goes on writing after it queues behind the file as usual.
     */
    void sendFile(java.nio.channels.FileChannel file, long position, long count) throws IOException {
        long limit = response.declaredLength();
        try {
            if (!writable()) {
                file.close();
                return;
            }
            if (limit >= 0 && written + count > limit) {
                count = Math.max(0, limit - written);
            }
            if (this.count > 0) {
                send(false);
            }
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
        written += count;
        boolean last = limit >= 0 && written == limit;
        closed |= last;
        ResponseHead head = headIfUncommitted(limit);
        // The same hand-over as send(ResponseHead, ...) below, spelled out rather than shared: shared through two
        // lambdas per piece, the plaintext path measured 15-17 µs of CPU per request against 13.5-15 (one pinned
        // 3-round A/B; within this machine's noise, but the hot path is not where to take the risk).
        lock.lock();
        try {
            if (failure != null) {
                file.close();
                throw writeFailure(failure, connectionLost);
            }
            if (head != null) {
                headSent = true;
            }
            exchange.writeFile(head, file, position, count, last, error -> written(0, error));
        } finally {
            lock.unlock();
        }
    }

    private boolean writable() throws IOException {
        // The failure first: after a request timeout a write is an IOException, not an IllegalStateException.
        checkFailure();
        response.checkActive();
        return !closed && !response.outputSuppressed();
    }

    private void afterWrite() throws IOException {
        long limit = response.declaredLength();
        if (limit >= 0 && written >= limit) {
            // The spec closes the response once the declared length has been written.
            close();
        } else if (count == capacity) {
            send(false);
        }
    }

    /** Doubles the array (from 128 bytes) until it holds {@code needed}, never past the buffer size. */
    private void grow(int needed) {
        int size = Math.max(buf.length, 128);
        while (size < needed) {
            size <<= 1;
        }
        buf = java.util.Arrays.copyOf(buf, Math.min(size, capacity));
    }

    @Override
    public void flush() throws IOException {
        checkFailure();
        response.checkActive();
        if (closed || response.outputSuppressed()) {
            return;
        }
        if (count > 0 || !committed) {
            send(false);
        }
    }

    /** Completes the response: what is buffered goes out as the last piece. Idempotent. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        long declared = response.declaredLength();
        if (declared >= 0 && written < declared && !exchange.request().method().equals("HEAD")) {
            // Fewer bytes than promised: ending cleanly would let the client wait for the rest forever, or
            // take a short body for a whole one.
            exchange.abort(new IOException("Response ended after " + written + " of " + declared
                    + " declared bytes"));
            return;
        }
        send(true);
    }

    private void send(boolean last) throws IOException {
        checkFailure();
        long length = response.declaredLength();
        // The whole body is in the buffer when the first send is the last: its length is known.
        ResponseHead head = headIfUncommitted(length < 0 && last ? count : length);
        byte[] full = buf;
        int n = count;
        // The loop owns the sent array now. A writer that filled the buffer is streaming, so its next buffer starts
        // full size; after a flush of a few bytes the next one grows on demand again.
        buf = last || n < capacity ? EMPTY : new byte[capacity];
        count = 0;
        send(head, ByteBuffer.wrap(full, 0, n), last, false);
    }

    /** Commits the response with this length if it is not yet: the head to send with the next piece, or null. */
    private ResponseHead headIfUncommitted(long length) {
        if (committed) {
            return null;
        }
        ResponseHead head = response.commitHead(length);
        committed = true;
        return head;
    }

    /** {@code slab}: {@code data} is a slab, to go back to the pool once the loop is done with it. */
    private void send(ResponseHead head, ByteBuffer data, boolean last, boolean slab) throws IOException {
        int n = data.remaining();
        lock.lock();
        try {
            // Checked and handed over under the lock, so a request timeout sees either no head sent (and answers
            // 503 itself) or a head on its way (and cuts the connection), never both answers.
            if (failure != null) {
                if (slab) {
                    slabs.give(data);
                }
                throw writeFailure(failure, connectionLost);
            }
            if (head != null) {
                headSent = true;
            }
            inFlight += n;
            // Never calls back from inside (SPI rule), so holding the lock here cannot deadlock with written().
            exchange.write(head, data, last, !slab ? error -> written(n, error) : error -> {
                slabs.give(data);
                written(n, error);
            });
        } finally {
            lock.unlock();
        }
        if (!last && listener == null) {
            // Blocking mode parks here; a non-blocking writer instead checks isReady() and is called back.
            awaitRoom();
        }
    }

    /** Write callback, on the loop thread. */
    private void written(int n, Throwable error) {
        lock.lock();
        try {
            inFlight -= n;
            if (error != null && failure == null) {
                failure = error;
                connectionLost = true;
            }
            // Waking the writer at half the bound rather than at every completed piece: one wake-up per few
            // pieces instead of one per piece, and the writer comes back with room for several.
            if (writerParked && (failure != null || inFlight <= MAX_IN_FLIGHT / 2)) {
                writerWake.signalLocked();
            }
            wakeListenerLocked();
        } finally {
            lock.unlock();
        }
    }

    private void awaitRoom() throws IOException {
        lock.lock();
        try {
            if (inFlight > MAX_IN_FLIGHT) {
                writerParked = true;
                try {
                    while (inFlight > MAX_IN_FLIGHT / 2 && failure == null) {
                        progress.await();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("Interrupted while the client was slow to read");
                } finally {
                    writerParked = false;
                }
            }
        } finally {
            lock.unlock();
        }
        checkFailure();
    }

    private void checkFailure() throws IOException {
        Throwable f;
        boolean lost;
        lock.lock();
        try {
            f = failure;
            lost = connectionLost;
        } finally {
            lock.unlock();
        }
        if (f != null) {
            throw writeFailure(f, lost);
        }
    }

    /**
     * What a write throws after {@code f}: a lost connection is the client's doing, so it gets its own type, which
     * the container logs at debug level rather than as an application failure.
     */
    private static IOException writeFailure(Throwable f, boolean lost) {
        String message = "Response cannot be written: " + f.getMessage();
        return lost ? new ClientAbortException(message, f) : new IOException(message, f);
    }

    @Override
    public boolean isReady() {
        lock.lock();
        try {
            boolean ready = failure == null && inFlight <= MAX_IN_FLIGHT;
            if (!ready && listener != null) {
                writeInterest = true;
                wakeListenerLocked();
            }
            return ready;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void setWriteListener(WriteListener writeListener) {
        if (writeListener == null) {
            throw new NullPointerException("WriteListener is null");
        }
        if (!response.exchange().isAsyncStarted()) {
            throw new IllegalStateException("Non-blocking writes need an async request (startAsync)");
        }
        lock.lock();
        try {
            if (listener != null) {
                throw new IllegalStateException("A WriteListener is already set");
            }
            listener = writeListener;
            writeInterest = true;
            wakeListenerLocked();
        } finally {
            lock.unlock();
        }
    }
}
