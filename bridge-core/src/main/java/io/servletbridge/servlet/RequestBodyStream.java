package io.servletbridge.servlet;

import io.servletbridge.spi.BodyChunk;
import io.servletbridge.spi.Exchange;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The request body as a blocking stream over the loop's demand-driven body events.
 *
 * <p>Bytes arrive only because this stream asked for them: the first {@code read} demands the first chunk, and
 * the stream keeps the demand open while fewer than {@link #WINDOW} bytes wait unread (the loop delivers what it
 * holds in one turn). So at most about one window plus one chunk of a request body is ever in memory, however large
 * the upload, and a servlet that never reads never pulls the body off the socket at all (as in Tomcat and Jetty,
 * whose body errors also surface only to a reader).
 *
 * <p>A reader that waits (a blocking {@code read}, or a {@link ReadListener} told {@code isReady() == false}) longer
 * than the body read timeout without a byte arriving fails with {@link SocketTimeoutException}. The clock is one
 * timer on the exchange's loop, armed when a wait begins and no timer is pending; when it fires early (the reader
 * was fed and waits again) it re-arms for what is left of the current wait. So a steady upload costs no timer per
 * read, and no thread holds the clock.
 */
final class RequestBodyStream extends ServletInputStream {
    /** Unread bytes above which the stream stops asking the loop for more. */
    static final int WINDOW = 64 * 1024;

    private final Exchange exchange;
    private final ServletExchange owner;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final LoopSignal readerWake;
    /** Lent by the loop (see {@link BodyChunk}): read and released only under {@link #lock}. */
    private final ArrayDeque<BodyChunk> chunks = new ArrayDeque<>();
    private long queued;
    private boolean demanded;
    private boolean everDemanded;
    private boolean ended;
    private boolean discarded;
    private Throwable failure;
    /** Non-blocking mode (Servlet 6.1, 5.7): set once, with an async request. */
    private ReadListener listener;
    /** The application saw isReady() == false and waits for onDataAvailable. */
    private boolean readInterest;
    private boolean allDataReadFired;
    private boolean errorFired;
    /** 0: no read timeout. */
    private final long timeoutNanos;
    /** A reader waits for bytes (blocking or through the listener) since {@link #waitingSince}. */
    private boolean waiting;
    private long waitingSince;
    private ScheduledFuture<?> timer;
    private boolean timedOut;

    RequestBodyStream(ServletExchange owner, Exchange exchange, boolean hasBody, long timeoutNanos) {
        this.owner = owner;
        this.exchange = exchange;
        this.readerWake = new LoopSignal(lock, changed, exchange.loop());
        this.ended = !hasBody;
        this.timeoutNanos = Math.max(0, timeoutNanos);
    }

    // Loop side: each call answers one demand.

    /** Returns whether the demand stays open (the window has room). */
    boolean onData(BodyChunk chunk) {
        lock.lock();
        try {
            demanded = false;
            if (discarded || timedOut) {
                chunk.release();
                return false;
            }
            waiting = false;
            keepLocked(chunk);
            readerWake.signalLocked();
            wakeListenerLocked();
            // Read ahead while the window has room, so a streaming reader rarely waits on a round trip.
            if (queued < WINDOW && !ended && failure == null) {
                demanded = true;
                everDemanded = true;
                return true;
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    void onEnd() {
        lock.lock();
        try {
            demanded = false;
            if (timedOut) {
                return;
            }
            waiting = false;
            ended = true;
            readerWake.signalLocked();
            wakeListenerLocked();
        } finally {
            lock.unlock();
        }
    }

    /** Data, the end or a failure arrived: a listener waiting for it gets its callback on a container thread. */
    private void wakeListenerLocked() {
        if (listener != null && readInterest) {
            readInterest = false;
            owner.listenerCallback(this::listenerTurn);
        }
    }

    /** One callback turn: all data read, data available, or the failure. */
    private void listenerTurn() {
        ReadListener l = listener;
        boolean finished;
        Throwable error;
        boolean timeout;
        lock.lock();
        try {
            finished = ended && chunks.isEmpty();
            error = failure;
            timeout = timedOut;
        } finally {
            lock.unlock();
        }
        try {
            if (finished) {
                fireAllDataRead(l);
            } else if (error != null) {
                notifyListenerError(error);
                if (timeout) {
                    owner.endAfterBodyTimeout(error);
                }
            } else {
                l.onDataAvailable();
                if (isFinished()) {
                    fireAllDataRead(l);
                }
            }
        } catch (IOException | RuntimeException e) {
            // The listener's own failure: it hears of it, and the exchange ends with an error.
            forceListenerError(l, e);
            throw new IllegalStateException("ReadListener failed: " + e, e);
        }
    }

    private void forceListenerError(ReadListener l, Throwable e) {
        lock.lock();
        try {
            errorFired = true;
        } finally {
            lock.unlock();
        }
        try {
            l.onError(e);
        } catch (RuntimeException again) {
            org.slf4j.LoggerFactory.getLogger(RequestBodyStream.class).warn("ReadListener.onError failed", again);
        }
    }

    private void fireAllDataRead(ReadListener l) throws IOException {
        lock.lock();
        try {
            if (allDataReadFired) {
                return;
            }
            allDataReadFired = true;
        } finally {
            lock.unlock();
        }
        l.onAllDataRead();
    }

    /** Tells the read listener, once, that the body failed. Runs on a container thread. */
    void notifyListenerError(Throwable cause) {
        ReadListener l;
        lock.lock();
        try {
            if (listener == null || errorFired || allDataReadFired) {
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
            org.slf4j.LoggerFactory.getLogger(RequestBodyStream.class).warn("ReadListener.onError failed", e);
        }
    }

    void onClosed(Throwable cause) {
        lock.lock();
        try {
            demanded = false;
            waiting = false;
            if (!ended && failure == null) {
                failure = cause;
            }
            changed.signalAll();
            wakeListenerLocked();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The whole body, handed over by the loop before the worker runs and so before any demand (see ServletExchange).
     * They are kept whatever state the stream is in, and released at once only if the application is already done.
     */
    void prefill(java.util.List<BodyChunk> whole) {
        lock.lock();
        try {
            for (BodyChunk chunk : whole) {
                if (discarded) {
                    chunk.release();
                } else {
                    keepLocked(chunk);
                }
            }
            ended = true;
            everDemanded = true;
        } finally {
            lock.unlock();
        }
    }

    private void keepLocked(BodyChunk chunk) {
        int n = chunk.data().remaining();
        if (n == 0) {
            chunk.release();
            return;
        }
        chunks.add(chunk);
        queued += n;
    }

    private void demandLocked() {
        if (!demanded && !ended && failure == null) {
            demanded = true;
            everDemanded = true;
            exchange.demand();
        }
    }

    // Worker side.

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        lock.lock();
        try {
            if (discarded) {
                throw new IllegalStateException("The request has completed; its body can no longer be read");
            }
            while (true) {
                BodyChunk head = chunks.peek();
                if (head != null) {
                    ByteBuffer bytes = head.data();
                    int n = Math.min(len, bytes.remaining());
                    bytes.get(b, off, n);
                    if (!bytes.hasRemaining()) {
                        chunks.poll();
                        head.release();
                    }
                    queued -= n;
                    if (queued < WINDOW / 2) {
                        demandLocked();
                    }
                    return n;
                }
                if (ended) {
                    return -1;
                }
                if (timedOut) {
                    // A fresh exception per call, so each stack trace shows the read that failed.
                    SocketTimeoutException e = new SocketTimeoutException(failure.getMessage());
                    e.initCause(failure);
                    throw e;
                }
                if (failure != null) {
                    throw new IOException("Request body failed: " + failure.getMessage(), failure);
                }
                if (listener != null) {
                    throw new IllegalStateException("No request body data is ready: read only while isReady() is "
                            + "true when a ReadListener is set");
                }
                if (!demanded) {
                    if (!everDemanded) {
                        owner.beforeFirstRead();
                    }
                    demandLocked();
                }
                startWaitingLocked();
                try {
                    changed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("Interrupted while reading the request body");
                }
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int available() {
        lock.lock();
        try {
            return (int) Math.min(Integer.MAX_VALUE, queued);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isFinished() {
        lock.lock();
        try {
            return ended && chunks.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isReady() {
        lock.lock();
        try {
            boolean ready = !chunks.isEmpty() || ended;
            if (!ready && listener != null && failure == null) {
                readInterest = true;
                if (!everDemanded) {
                    owner.beforeFirstRead();
                }
                demandLocked();
                startWaitingLocked();
            }
            return ready;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void setReadListener(ReadListener readListener) {
        if (readListener == null) {
            throw new NullPointerException("ReadListener is null");
        }
        if (!owner.isAsyncStarted()) {
            throw new IllegalStateException("Non-blocking reads need an async request (startAsync)");
        }
        lock.lock();
        try {
            if (listener != null) {
                throw new IllegalStateException("A ReadListener is already set");
            }
            listener = readListener;
            // The first callback comes as soon as there is something to report, on a container thread, after the
            // current dispatch has returned.
            readInterest = true;
            if (!chunks.isEmpty() || ended || failure != null) {
                wakeListenerLocked();
            } else {
                if (!everDemanded) {
                    owner.beforeFirstRead();
                }
                demandLocked();
                startWaitingLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Whether the whole body has been received (read or not). */
    boolean fullyReceived() {
        lock.lock();
        try {
            return ended;
        } finally {
            lock.unlock();
        }
    }

    /** A reader starts (or keeps) waiting for bytes: make sure the clock runs. */
    private void startWaitingLocked() {
        if (timeoutNanos == 0 || waiting || ended || failure != null || discarded) {
            return;
        }
        waiting = true;
        waitingSince = System.nanoTime();
        if (timer == null) {
            schedule(timeoutNanos);
        }
    }

    private void schedule(long nanos) {
        try {
            timer = exchange.loop().schedule(this::timerFired, nanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException stopped) {
            // The loop is gone, and with it the connection: onClosed ends the wait.
            timer = null;
        }
    }

    /** On the loop thread: the wait may be over, still young (re-arm), or too long (fail it). */
    private void timerFired() {
        lock.lock();
        try {
            timer = null;
            if (!waiting || ended || failure != null || discarded) {
                return;
            }
            long left = waitingSince + timeoutNanos - System.nanoTime();
            if (left > 0) {
                // At least a millisecond: some loop timers have no finer resolution, and must not spin.
                schedule(Math.max(left, TimeUnit.MILLISECONDS.toNanos(1)));
                return;
            }
            waiting = false;
            timedOut = true;
            failure = new SocketTimeoutException("No request body bytes arrived for "
                    + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
            // Before anyone wakes: the reader's failure path and the response's headers depend on it.
            owner.bodyReadTimedOut();
            changed.signalAll();
            wakeListenerLocked();
        } finally {
            lock.unlock();
        }
    }

    /** The exchange is over for the application: drop what is queued and stop asking for more. */
    void discard() {
        lock.lock();
        try {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
            waiting = false;
            discarded = true;
            BodyChunk chunk;
            while ((chunk = chunks.poll()) != null) {
                chunk.release();
            }
            queued = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
