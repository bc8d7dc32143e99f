package io.servletbridge.undertow;

import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;

import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A task armed on an XNIO IO thread's timer. Periodic tasks re-arm themselves after each run, because XNIO's own
 * interval timer only knows fixed delays between starts and cannot be told to catch up.
 */
final class IoThreadTask<V> extends FutureTask<V> implements RunnableScheduledFuture<V> {

    private final XnioIoThread thread;
    /** Zero for a one-shot task, positive for a fixed rate, negative for a fixed delay (nanoseconds). */
    private final long period;
    private volatile long deadline;
    private volatile XnioExecutor.Key key;

    IoThreadTask(XnioIoThread thread, Callable<V> callable, long delayNanos, long period) {
        super(callable);
        this.thread = thread;
        this.period = period;
        this.deadline = System.nanoTime() + Math.max(0, delayNanos);
    }

    void arm() {
        long nanos = Math.max(0, deadline - System.nanoTime());
        // XNIO counts in milliseconds and runs a 0 ms timer at once; rounding up keeps "not before the delay".
        key = thread.executeAfter(this, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999), TimeUnit.MILLISECONDS);
    }

    @Override
    public void run() {
        if (period == 0) {
            super.run();
        } else if (runAndReset()) {
            deadline = period > 0 ? deadline + period : System.nanoTime() - period;
            arm();
        }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        // Never interrupt: the thread running us is the IO thread.
        boolean cancelled = super.cancel(false);
        XnioExecutor.Key armed = key;
        if (cancelled && armed != null) {
            armed.remove();
        }
        return cancelled;
    }

    @Override
    public boolean isPeriodic() {
        return period != 0;
    }

    @Override
    public long getDelay(TimeUnit unit) {
        return unit.convert(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
        return other == this ? 0 : Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }
}
