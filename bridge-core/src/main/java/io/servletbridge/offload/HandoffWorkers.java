package io.servletbridge.offload;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fixed set of platform threads fed by loop threads, built so that a short task costs no thread wake-up.
 *
 * <p>Profiling the plaintext benchmark on {@code ThreadPoolExecutor} showed four fifths of the workers' CPU time in
 * parking and unparking: every request woke a sleeping worker (a futex call on the loop thread and a context switch
 * on the worker), ran for a few microseconds, and went back to sleep. Two changes remove most of that:
 * <ul>
 * <li>One worker at a time spins briefly for the next task after finishing one. Under load the next task arrives
 *     within that window, so a loop thread only enqueues it: no system call on the loop.</li>
 * <li>Idle workers wait on a LIFO stack, so the one woken is the one that slept last: its cache is warm, and under
 *     light load the same few threads do all the work.</li>
 * </ul>
 *
 * <p>Capacity is counted as in {@code ThreadPoolExecutor} with a bounded queue: at most {@code threads} running and
 * {@code queueCapacity} waiting; beyond that {@link #submit} says no at once.
 *
 * <p>No wake-up is lost: a worker makes itself findable (pushes its node, or counts itself as spinning) before it
 * looks at the queue one last time, and a submitter enqueues before it looks for a worker to wake. Whichever comes
 * second sees the other.
 */
final class HandoffWorkers extends WorkerPool {
    private static final Logger LOG = LoggerFactory.getLogger(HandoffWorkers.class);

    /**
     * How long a worker that ran out of work keeps looking before it parks (system property
     * {@code servletbridge.workers.spinMicros}; 0 turns spinning off).
     */
    private static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(
            Long.getLong("servletbridge.workers.spinMicros", 10));
    /** One spinner is enough to catch back-to-back tasks; more would take CPU from the loops on small machines. */
    private static final int MAX_SPINNERS = Runtime.getRuntime().availableProcessors() > 1 ? 1 : 0;

    private final int threads;
    private final int queueCapacity;
    private final Thread[] workers;
    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    /** Tasks accepted and not yet finished: running plus waiting. */
    private final AtomicInteger accepted = new AtomicInteger();
    /** Tasks in {@link #queue}; compared with {@link #spinning} to decide whether anyone must be woken. */
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicInteger spinning = new AtomicInteger();
    /** Per loop thread: whether a flush of deferred wake-ups is already scheduled on it. */
    private final ThreadLocal<DeferredWakes> deferred = ThreadLocal.withInitial(DeferredWakes::new);
    private final AtomicReference<Idle> idle = new AtomicReference<>();
    private volatile boolean shutdown;

    /** A parked worker, claimable once: by whoever wakes it, or by the worker itself when it finds work alone. */
    private static final class Idle {
        final Thread thread;
        Idle next;
        final AtomicInteger claimed = new AtomicInteger();

        Idle(Thread thread) {
            this.thread = thread;
        }

        boolean claim() {
            return claimed.compareAndSet(0, 1);
        }
    }

    HandoffWorkers(int threads, int queueCapacity) {
        if (threads < 1 || queueCapacity < 0) {
            throw new IllegalArgumentException("workers must be >= 1 and queue >= 0");
        }
        this.threads = threads;
        this.queueCapacity = queueCapacity;
        this.workers = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(this::work, "bridge-worker-" + (i + 1));
            t.setDaemon(false);
            workers[i] = t;
        }
        for (Thread t : workers) {
            t.start();
        }
    }

    @Override
    boolean submit(Runnable task) {
        return submit(task, null);
    }

    /**
     * With {@code loop} (the calling loop thread's own executor), the wake-up is deferred to a task that runs after
     * the loop has handled the rest of its ready connections: one worker woken for a batch of requests takes them
     * one after another from the queue. Waking one worker per request, each woken worker preempted the loop on a
     * single core, ran its one request, found the queue empty and parked again: two context switches per request.
     */
    @Override
    boolean submit(Runnable task, Executor loop) {
        if (shutdown) {
            return false;
        }
        if (accepted.incrementAndGet() > threads + queueCapacity) {
            accepted.decrementAndGet();
            return false;
        }
        queue.offer(task);
        int queued = waiting.incrementAndGet();
        if (loop != null) {
            DeferredWakes batch = deferred.get();
            if (batch.tasks > 0) {
                batch.tasks++;
                return true;
            }
            try {
                loop.execute(batch);
                batch.tasks = 1;
                return true;
            } catch (RejectedExecutionException stopping) {
                // The loop is going away: wake now.
            }
        }
        if (queued > spinning.get()) {
            wakeOne();
        }
        return true;
    }

    /** Runs on the loop thread that deferred wake-ups: at most one worker per task it deferred. */
    private final class DeferredWakes implements Runnable {
        /** Tasks submitted since the flush was scheduled; 0 when none is. */
        int tasks;

        @Override
        public void run() {
            int n = tasks;
            tasks = 0;
            // As many wake-ups as the immediate path would have made, each only while tasks still wait: on one core
            // the first worker woken may have taken the whole batch before the loop thread runs again.
            for (int i = 0; i < n && waiting.get() > spinning.get(); i++) {
                if (!wakeOne()) {
                    return;
                }
            }
        }
    }

    /** Returns false when no worker was parked. */
    private boolean wakeOne() {
        Idle node;
        while ((node = pop()) != null) {
            if (node.claim()) {
                LockSupport.unpark(node.thread);
                return true;
            }
        }
        return false;
    }

    private Idle pop() {
        for (;;) {
            Idle top = idle.get();
            if (top == null) {
                return null;
            }
            if (idle.compareAndSet(top, top.next)) {
                top.next = null;
                return top;
            }
        }
    }

    private void push(Idle node) {
        for (;;) {
            Idle top = idle.get();
            node.next = top;
            if (idle.compareAndSet(top, node)) {
                return;
            }
        }
    }

    private Runnable poll() {
        Runnable r = queue.poll();
        if (r != null) {
            waiting.decrementAndGet();
        }
        return r;
    }

    private void work() {
        Thread self = Thread.currentThread();
        for (;;) {
            Runnable task = poll();
            if (task == null) {
                task = spin();
            }
            if (task == null) {
                if (shutdown) {
                    return;
                }
                task = parkUntilWork(self);
                if (task == null) {
                    continue;
                }
            }
            run(task);
        }
    }

    private Runnable spin() {
        if (MAX_SPINNERS == 0 || SPIN_NANOS <= 0 || shutdown) {
            return null;
        }
        if (spinning.incrementAndGet() > MAX_SPINNERS) {
            spinning.decrementAndGet();
            return null;
        }
        Runnable task = null;
        try {
            long deadline = System.nanoTime() + SPIN_NANOS;
            int i = 0;
            while ((task = poll()) == null && !shutdown) {
                Thread.onSpinWait();
                if ((++i & 31) == 0 && System.nanoTime() - deadline > 0) {
                    break;
                }
            }
        } finally {
            spinning.decrementAndGet();
        }
        if (task != null && waiting.get() > spinning.get()) {
            // Submitters counted on this spinner for the task it just took; more are waiting, so pass one on.
            wakeOne();
        }
        return task;
    }

    private Runnable parkUntilWork(Thread self) {
        Idle node = new Idle(self);
        push(node);
        Runnable task = poll();
        if (task != null) {
            // Found work on the last look. If nobody claimed the node it is stale: take it off the stack when it is
            // still on top (nodes are never reused, so no ABA), else a submitter skips it. If somebody did claim it,
            // their unpark is a spare permit, harmless to a park loop.
            if (node.claim()) {
                idle.compareAndSet(node, node.next);
            }
            return task;
        }
        while (node.claimed.get() == 0 && !shutdown) {
            LockSupport.park(this);
        }
        return null;
    }

    private void run(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            // The tasks handed here catch their own failures; this is the last line, and the worker survives it.
            LOG.error("Worker task failed", t);
        } finally {
            accepted.decrementAndGet();
            if (Thread.interrupted()) {
                // An interrupt meant for the finished task (a stop, a timeout) must not hit the next one.
                LOG.debug("Cleared an interrupt left by a finished task");
            }
        }
    }

    @Override
    public void shutdown(Duration grace) {
        shutdown = true;
        for (Thread t : workers) {
            LockSupport.unpark(t);
        }
        long deadline = System.nanoTime() + Math.max(0, grace.toNanos());
        try {
            if (!joinAll(deadline)) {
                for (Thread t : workers) {
                    t.interrupt();
                }
                joinAll(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
            }
        } catch (InterruptedException e) {
            for (Thread t : workers) {
                t.interrupt();
            }
            Thread.currentThread().interrupt();
        }
    }

    private boolean joinAll(long deadline) throws InterruptedException {
        for (Thread t : workers) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                TimeUnit.NANOSECONDS.timedJoin(t, left);
            }
            if (t.isAlive()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String describe() {
        return threads + " platform threads, queue " + queueCapacity;
    }
}
