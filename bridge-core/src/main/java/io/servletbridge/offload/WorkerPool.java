package io.servletbridge.offload;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.MDC;

/**
 * Where blocking application code runs. Every flavour is bounded: when it is full, {@link #tryExecute} says no at
 * once, and the caller (a loop thread) answers 503 instead of queueing without limit.
 */
public abstract class WorkerPool {

    /** A fixed pool of platform threads with a bounded hand-off queue. */
    public static WorkerPool threads(int threads, int queueCapacity) {
        return new HandoffWorkers(threads, queueCapacity);
    }

    /**
     * One virtual thread per task, at most {@code maxConcurrent} at once. Needs JDK 21+; the check happens at run
     * time so the jar still runs on 17.
     *
     * @throws UnsupportedOperationException on a JDK without virtual threads
     */
    public static WorkerPool virtualThreads(int maxConcurrent) {
        return new VirtualWorkers(maxConcurrent);
    }

    /** Whether this JVM has virtual threads. */
    public static boolean virtualThreadsAvailable() {
        return Runtime.version().feature() >= 21;
    }

    /** The user's own executor; its saturation is whatever it signals with {@link RejectedExecutionException}. */
    public static WorkerPool of(Executor executor) {
        return new ForeignWorkers(executor);
    }

    /**
     * Runs {@code task} on a worker, with the submitting thread's slf4j MDC and the given context class loader.
     *
     * @return false when the pool is saturated; the task will not run
     */
    public final boolean tryExecute(Runnable task, ClassLoader contextLoader) {
        return submit(propagate(task, contextLoader));
    }

    /**
     * As {@link #tryExecute(Runnable, ClassLoader)}, called on a loop thread with that loop's own executor: a pool
     * may then wake its worker from a task on {@code loop} that runs once the loop has handled its other ready
     * connections, so that a batch of requests costs one wake-up instead of one each.
     */
    public final boolean tryExecute(Runnable task, ClassLoader contextLoader, Executor loop) {
        return submit(propagate(task, contextLoader), loop);
    }

    abstract boolean submit(Runnable task);

    boolean submit(Runnable task, Executor loop) {
        return submit(task);
    }

    /** Stops taking work and waits up to {@code grace} for running tasks; interrupts what is left. */
    public abstract void shutdown(Duration grace);

    /** A short description for logs, e.g. {@code 16 platform threads, queue 256}. */
    public abstract String describe();

    static Runnable propagate(Runnable task, ClassLoader loader) {
        Map<String, String> mdc = MDC.getCopyOfContextMap();
        return () -> {
            Thread t = Thread.currentThread();
            ClassLoader previous = t.getContextClassLoader();
            t.setContextClassLoader(loader);
            if (mdc == null) {
                MDC.clear();
            } else {
                MDC.setContextMap(mdc);
            }
            try {
                task.run();
            } finally {
                // A pooled thread must not carry one request's logging context into the next.
                MDC.clear();
                t.setContextClassLoader(previous);
            }
        };
    }

    private static final class VirtualWorkers extends WorkerPool {
        private final ExecutorService executor;
        private final Semaphore permits;
        private final int max;

        VirtualWorkers(int maxConcurrent) {
            if (!virtualThreadsAvailable()) {
                throw new UnsupportedOperationException("Virtual threads need JDK 21 or newer; this is JDK "
                        + Runtime.version().feature());
            }
            this.max = maxConcurrent;
            this.permits = new Semaphore(maxConcurrent);
            this.executor = newVirtualExecutor("bridge-vworker-");
        }

        @Override
        boolean submit(Runnable task) {
            if (!permits.tryAcquire()) {
                return false;
            }
            try {
                executor.execute(() -> {
                    try {
                        task.run();
                    } finally {
                        permits.release();
                    }
                });
                return true;
            } catch (RejectedExecutionException stopped) {
                permits.release();
                return false;
            }
        }

        @Override
        public void shutdown(Duration grace) {
            awaitShutdown(executor, grace);
        }

        @Override
        public String describe() {
            return "virtual threads, at most " + max + " at once";
        }
    }

    private static final class ForeignWorkers extends WorkerPool {
        private final Executor executor;

        ForeignWorkers(Executor executor) {
            this.executor = executor;
        }

        @Override
        boolean submit(Runnable task) {
            return offer(executor, task);
        }

        @Override
        public void shutdown(Duration grace) {
            // The user's executor is the user's to stop.
        }

        @Override
        public String describe() {
            return "user executor " + executor.getClass().getName();
        }
    }

    /**
     * A thread-per-task executor of named virtual threads, built reflectively so that this class compiles and
     * loads on JDK 17.
     */
    public static ExecutorService newVirtualExecutor(String namePrefix) {
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            Class<?> ofVirtual = Class.forName("java.lang.Thread$Builder$OfVirtual");
            builder = ofVirtual.getMethod("name", String.class, long.class).invoke(builder, namePrefix, 1L);
            ThreadFactory factory = (ThreadFactory) Class.forName("java.lang.Thread$Builder")
                    .getMethod("factory").invoke(builder);
            Method perTask = java.util.concurrent.Executors.class.getMethod("newThreadPerTaskExecutor",
                    ThreadFactory.class);
            return (ExecutorService) perTask.invoke(null, factory);
        } catch (ReflectiveOperationException e) {
            throw new UnsupportedOperationException("Virtual threads are not available on this JVM", e);
        }
    }

    /** Hands {@code task} to an executor that signals saturation by rejecting; never blocks. */
    static boolean offer(Executor executor, Runnable task) {
        try {
            executor.execute(task);
            return true;
        } catch (RejectedExecutionException full) {
            return false;
        }
    }

    static void awaitShutdown(ExecutorService executor, Duration grace) {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                executor.shutdownNow();
                executor.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
