package io.servletbridge.servlet;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one exchange's container work one piece at a time: async dispatches, timeouts, error handling, and
 * read/write listener callbacks never overlap, and none starts while a dispatch is still inside the servlet
 * (Servlet 6.1, 2.3.3.3). Work is queued, not waited for: no thread blocks on another.
 */
final class SerialExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);

    private final Executor threads;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private boolean active;

    SerialExecutor(Executor threads) {
        this.threads = threads;
    }

    /** The calling thread is inside the exchange already (the first dispatch): queued work waits for {@link #exit}. */
    synchronized void enter() {
        active = true;
    }

    /** The thread that {@link #enter entered} leaves; queued work starts on another thread. */
    void exit() {
        boolean start;
        synchronized (this) {
            start = !queue.isEmpty();
            active = start;
        }
        if (start) {
            threads.execute(this::drain);
        }
    }

    void execute(Runnable work) {
        boolean start;
        synchronized (this) {
            queue.add(work);
            start = !active;
            active = true;
        }
        if (start) {
            threads.execute(this::drain);
        }
    }

    private void drain() {
        while (true) {
            Runnable next;
            synchronized (this) {
                next = queue.poll();
                if (next == null) {
                    active = false;
                    return;
                }
            }
            try {
                next.run();
            } catch (RuntimeException | Error e) {
                LOG.error("Container callback failed", e);
            }
        }
    }
}
