package io.servletbridge.netty;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the exchanges in progress across all connections of one server, so that a graceful stop can wait for them,
 * and tells connections when the server is stopping so they stop keeping themselves alive.
 */
final class ExchangeTracker {
    private final AtomicInteger active = new AtomicInteger();
    private volatile boolean stopping;

    void begin() {
        active.incrementAndGet();
    }

    void end() {
        if (active.decrementAndGet() == 0 && stopping) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    int active() {
        return active.get();
    }

    boolean stopping() {
        return stopping;
    }

    void beginStopping() {
        stopping = true;
    }

    /** Waits until no exchange is in progress or {@code grace} has passed; returns whether none is left. */
    boolean awaitIdle(Duration grace) throws InterruptedException {
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
