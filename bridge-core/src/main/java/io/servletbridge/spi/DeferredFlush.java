package io.servletbridge.spi;

import java.util.concurrent.Executor;

/**
 * For loop implementations: flushes a response's writes after the loop tasks already queued, once however many
 * writes asked for it. A worker streaming a response hands over several pieces before the loop runs (on a shared
 * core, up to the bridge's in-flight bound); flushing once behind all of them lets the loop send them in one
 * gathering write, which the kernel cuts into a few large segments instead of one per piece.
 *
 * <p>A write that ends the response should flush at once instead; and since {@link Exchange#abort} must not lose the
 * writes made before it, the abort runs {@link #now()} before it closes. Loop thread only.
 */
public final class DeferredFlush {
    private final Executor loop;
    private final Runnable flush;
    private boolean queued;

    /**
     * @param loop  the exchange's loop; a task it is given from the loop thread runs after the tasks already queued
     * @param flush sends what the exchange has written so far
     */
    public DeferredFlush(Executor loop, Runnable flush) {
        this.loop = loop;
        this.flush = flush;
    }

    /** Queues the flush behind the loop's pending tasks, unless one is queued already. */
    public void request() {
        if (!queued) {
            queued = true;
            loop.execute(this::now);
        }
    }

    /** Runs a requested flush now (the queued task then does nothing); nothing if none is pending. */
    public void now() {
        if (queued) {
            queued = false;
            flush.run();
        }
    }

    /** Forgets a requested flush: the caller is about to flush everything itself. */
    public void cancel() {
        queued = false;
    }
}
