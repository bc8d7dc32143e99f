package io.servletbridge.spi;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * For loop implementations: counts the exchanges in progress across all connections of one server, so that
 * {@link LoopServer#stop} can wait for them, and tells connections when the server is stopping so they stop keeping
 * themselves alive.
 */
public final class ExchangeTracker {
    private final AtomicInteger active = new AtomicInteger();
    private volatile boolean stopping;

    public void begin() {
        active.incrementAndGet();
    }

    public void end() {
        if (active.decrementAndGet() == 0 && stopping) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    public int active() {
        return active.get();
    }

    public boolean stopping() {
        return stopping;
    }

    public void beginStopping() {
        stopping = true;
    }

    /** Waits until no exchange is in progress or {@code grace} has passed; returns whether none is left. */
    public boolean awaitIdle(Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        synchronized (this) {
            while (active.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                // Bounded wait: end() notifies, but a short cap keeps a lost wake-up from costing the whole grace.
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
            }
            return true;
        }
    }
}
