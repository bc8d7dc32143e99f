package io.servletbridge.background;

import io.servletbridge.offload.WorkerPool;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The bridge's implementation of {@link BackgroundTasks}: a bounded executor of named, tracked tasks, one timer
 * thread for delays, counters, a JMX view, and the drain that runs at shutdown. Internal: applications use the
 * interface.
 */
public final class TaskRunner implements BackgroundTasks, BackgroundTasksMXBean {
    private static final Logger LOG = LoggerFactory.getLogger(TaskRunner.class);

    private final String contextName;
    private final ExecutorService executor;
    private final ThreadPoolExecutor platform;
    private final Semaphore virtualPermits;
    /** Delays before the loop runs (while the application initializes), and the fallback; daemon, started lazily. */
    private final ScheduledThreadPoolExecutor timer;
    /** The loop's own scheduler once the loop runs: due tasks are handed over from there, holding no thread. */
    private volatile ScheduledExecutorService loopTimer;
    private final Set<Task<?>> live = ConcurrentHashMap.newKeySet();
    private final AtomicLong scheduled = new AtomicLong();
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong running = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong cancelled = new AtomicLong();
    private final Object drained = new Object();
    private final String description;
    private volatile boolean stopping;
    private ObjectName mbean;

    private TaskRunner(String contextName, ExecutorService executor, ThreadPoolExecutor platform,
                       Semaphore virtualPermits, String description) {
        this.contextName = contextName;
        this.executor = executor;
        this.platform = platform;
        this.virtualPermits = virtualPermits;
        this.description = description;
        AtomicInteger n = new AtomicInteger();
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "bridge-task-timer-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
    }

    /** Platform threads with a bounded queue. */
    public static TaskRunner threads(String contextName, int threads, int queueCapacity) {
        if (threads < 1 || queueCapacity < 1) {
            throw new IllegalArgumentException("background threads and queue must be >= 1");
        }
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor tpe = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queueCapacity), r -> new Thread(r, "bridge-task-" + n.incrementAndGet()),
                new ThreadPoolExecutor.AbortPolicy());
        return new TaskRunner(contextName, tpe, tpe, null,
                threads + " platform threads, queue " + queueCapacity);
    }

    /** One virtual thread per task (JDK 21+), at most {@code maxConcurrent} tasks queued or running. */
    public static TaskRunner virtualThreads(String contextName, int maxConcurrent) {
        if (!WorkerPool.virtualThreadsAvailable()) {
            throw new UnsupportedOperationException("Virtual threads for background tasks need JDK 21 or newer; "
                    + "this is JDK " + Runtime.version().feature());
        }
        return new TaskRunner(contextName, WorkerPool.newVirtualExecutor("bridge-vtask-"), null,
                new Semaphore(maxConcurrent), "virtual threads, at most " + maxConcurrent);
    }

    /** Virtual threads where the JDK has them, else platform threads; both bounded. */
    public static TaskRunner defaults(String contextName) {
        return WorkerPool.virtualThreadsAvailable() ? virtualThreads(contextName, 10_000)
                : threads(contextName, Math.max(4, 2 * Runtime.getRuntime().availableProcessors()), 10_000);
    }

    public String describe() {
        return description;
    }

    /** From now on delays wait on the loop's scheduler rather than this runner's own timer thread. */
    public void useLoopTimer(ScheduledExecutorService scheduler) {
        this.loopTimer = scheduler;
    }

    /**
     * The loop is about to stop: delays still pending on it move to this runner's own timer, keeping their due
     * time, so that a task falling due during the drain still runs.
     */
    public void leaveLoopTimer() {
        loopTimer = null;
        for (Task<?> t : live) {
            ScheduledFuture<?> f = t.timerFuture;
            if (t.state == State.SCHEDULED && t.onLoopTimer && f != null && f.cancel(false)) {
                t.onLoopTimer = false;
                t.timerFuture = timer.schedule(t.fire, Math.max(0, f.getDelay(TimeUnit.NANOSECONDS)),
                        TimeUnit.NANOSECONDS);
            }
        }
    }

    // Submitting

    @Override
    public CompletableFuture<Void> run(String name, Runnable task) {
        return submit(name, () -> {
            task.run();
            return null;
        });
    }

    @Override
    public <T> CompletableFuture<T> submit(String name, Callable<T> task) {
        Task<T> t = new Task<>(name, task, null);
        enqueue(t);
        return t.future;
    }

    @Override
    public <T> CompletableFuture<T> submitAsync(String name, Supplier<? extends CompletionStage<T>> task) {
        Task<T> t = new Task<>(name, null, task);
        enqueue(t);
        return t.future;
    }

    @Override
    public <T> CompletableFuture<T> schedule(String name, Duration delay, Callable<T> task) {
        Task<T> t = new Task<>(name, task, null);
        if (stopping) {
            t.reject("the server is stopping");
            return t.future;
        }
        t.state = State.SCHEDULED;
        scheduled.incrementAndGet();
        live.add(t);
        t.fire = () -> {
            if (t.transition(State.SCHEDULED, State.NEW)) {
                scheduled.decrementAndGet();
                // Still in `live`, so a drain in progress keeps waiting for it: a task that falls due during
                // the grace period runs.
                enqueue(t, true);
            }
        };
        try {
            ScheduledExecutorService loop = loopTimer;
            t.onLoopTimer = loop != null;
            t.timerFuture = (loop != null ? loop : timer).schedule(t.fire, Math.max(0, delay.toNanos()),
                    TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            if (t.transition(State.SCHEDULED, State.DONE)) {
                scheduled.decrementAndGet();
                live.remove(t);
                t.reject("the server is stopping");
            }
        }
        return t.future;
    }

    private void enqueue(Task<?> t) {
        enqueue(t, false);
    }

    /** @param accepted the task was accepted before (a scheduled one falling due): stopping does not refuse it */
    private void enqueue(Task<?> t, boolean accepted) {
        if (stopping && !accepted) {
            t.reject("the server is stopping");
            return;
        }
        if (virtualPermits != null && !virtualPermits.tryAcquire()) {
            live.remove(t);
            t.reject("too many background tasks");
            settled();
            return;
        }
        t.state = State.QUEUED;
        queued.incrementAndGet();
        live.add(t);
        try {
            executor.execute(t);
        } catch (RejectedExecutionException e) {
            if (t.transition(State.QUEUED, State.DONE)) {
                queued.decrementAndGet();
                live.remove(t);
                releasePermit();
                if (accepted && stopping) {
                    // It was promised a run and the drain ran out: that is a cancellation, and it is reported.
                    cancelled.incrementAndGet();
                    LOG.warn("Background task '{}' fell due after the shutdown deadline; cancelled", t.name);
                    t.future.cancel(false);
                } else {
                    t.reject(stopping ? "the server is stopping" : "the background task queue is full");
                }
                settled();
            }
        }
    }

    private void releasePermit() {
        if (virtualPermits != null) {
            virtualPermits.release();
        }
    }

    /**
     * Runs container work (an async dispatch or listener callback) on this executor when the request workers are
     * saturated. Not counted as a background task.
     *
     * @return false when this executor is full too
     */
    public boolean offer(Runnable work) {
        if (stopping && executor.isShutdown()) {
            return false;
        }
        try {
            executor.execute(work);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    // Counts

    @Override
    public Stats stats() {
        return new Stats(scheduled.get(), queued.get(), running.get(), completed.get(), failed.get(),
                cancelled.get());
    }

    @Override
    public long getScheduled() {
        return scheduled.get();
    }

    @Override
    public long getQueued() {
        return queued.get();
    }

    @Override
    public long getRunning() {
        return running.get();
    }

    @Override
    public long getCompleted() {
        return completed.get();
    }

    @Override
    public long getFailed() {
        return failed.get();
    }

    @Override
    public long getCancelled() {
        return cancelled.get();
    }

    /** Publishes the counts over JMX; a name already taken (two servers, one name) gets a numbered suffix. */
    public void registerMBean() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        String base = contextName.replaceAll("[,=:\"*?\\s]", "_");
        for (int i = 1; i < 100 && mbean == null; i++) {
            try {
                ObjectName name = new ObjectName("io.servletbridge:type=BackgroundTasks,context="
                        + (i == 1 ? base : base + "-" + i));
                server.registerMBean(new StandardMBean(this, BackgroundTasksMXBean.class, true), name);
                mbean = name;
            } catch (javax.management.InstanceAlreadyExistsException taken) {
                // try the next suffix
            } catch (JMException e) {
                LOG.warn("Background task counts are not published over JMX", e);
                return;
            }
        }
    }

    // Shutdown

    /**
     * Takes no more tasks, lets queued, running and due tasks finish until {@code grace} has passed, then
     * cancels what is left (interrupting running tasks) and logs each by name.
     *
     * @return the names of the tasks that had to be cancelled
     */
    public List<String> drain(Duration grace) {
        stopping = true;
        long deadline = System.nanoTime() + grace.toNanos();
        synchronized (drained) {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !anyFinishableBy(left)) {
                    break;
                }
                try {
                    // Bounded wait: finish() notifies, and the cap keeps a missed wake-up cheap.
                    TimeUnit.NANOSECONDS.timedWait(drained, Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        List<String> cancelledNames = new ArrayList<>();
        for (Task<?> t : new ArrayList<>(live)) {
            cancelledNames.add(t.name);
            LOG.warn("Background task '{}' did not finish within the {} shutdown grace period; cancelling it",
                    t.name, grace);
            t.future.cancel(true);
        }
        timer.shutdownNow();
        executor.shutdown();
        try {
            if (!executor.awaitTermination(2, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
        if (mbean != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(mbean);
            } catch (JMException e) {
                LOG.debug("Could not unregister {}", mbean, e);
            }
            mbean = null;
        }
        if (!cancelledNames.isEmpty()) {
            LOG.warn("Cancelled {} background task(s) at shutdown: {}", cancelledNames.size(), cancelledNames);
        }
        return cancelledNames;
    }

    /** Whether a task could still end within {@code left} ns: one queued or running, or scheduled to fall due. */
    private boolean anyFinishableBy(long left) {
        for (Task<?> t : live) {
            if (t.state != State.SCHEDULED) {
                return true;
            }
            ScheduledFuture<?> f = t.timerFuture;
            if (f == null || f.getDelay(TimeUnit.NANOSECONDS) < left) {
                return true;
            }
        }
        return false;
    }

    private void settled() {
        synchronized (drained) {
            drained.notifyAll();
        }
    }

    private enum State { NEW, SCHEDULED, QUEUED, RUNNING, DONE }

    /** One task: its name, its body, its state, and the future its submitter holds. */
    private final class Task<T> implements Runnable {
        private final String name;
        private final Callable<T> body;
        private final Supplier<? extends CompletionStage<T>> asyncBody;
        private final TaskFuture<T> future = new TaskFuture<>(this);
        private final Map<String, String> mdc = MDC.getCopyOfContextMap();
        private final ClassLoader loader = Thread.currentThread().getContextClassLoader();
        private volatile State state = State.NEW;
        private volatile Thread thread;
        private volatile ScheduledFuture<?> timerFuture;
        /** For a scheduled task: hands it to the executor when due. */
        private volatile Runnable fire;
        private volatile boolean onLoopTimer;

        Task(String name, Callable<T> body, Supplier<? extends CompletionStage<T>> asyncBody) {
            this.name = name == null || name.isEmpty() ? "unnamed" : name;
            this.body = body;
            this.asyncBody = asyncBody;
        }

        synchronized boolean transition(State from, State to) {
            if (state != from) {
                return false;
            }
            state = to;
            return true;
        }

        void reject(String why) {
            future.completeExceptionally(new RejectedExecutionException(
                    "Background task '" + name + "' rejected: " + why));
        }

        @Override
        public void run() {
            if (!transition(State.QUEUED, State.RUNNING)) {
                return;
            }
            queued.decrementAndGet();
            running.incrementAndGet();
            Thread t = Thread.currentThread();
            ClassLoader previous = t.getContextClassLoader();
            t.setContextClassLoader(loader);
            if (mdc != null) {
                MDC.setContextMap(mdc);
            }
            thread = t;
            try {
                if (asyncBody != null) {
                    CompletionStage<T> stage = asyncBody.get();
                    thread = null;
                    stage.whenComplete(this::finish);
                } else {
                    finish(body.call(), null);
                }
            } catch (Throwable e) {
                finish(null, e);
            } finally {
                thread = null;
                MDC.clear();
                t.setContextClassLoader(previous);
                // An interrupt meant for this task must not hit the next one on a pooled thread.
                Thread.interrupted();
            }
        }

        void finish(T value, Throwable error) {
            if (!transition(State.RUNNING, State.DONE)) {
                return;
            }
            running.decrementAndGet();
            live.remove(this);
            releasePermit();
            if (future.isCancelled()) {
                cancelled.incrementAndGet();
            } else if (error == null) {
                completed.incrementAndGet();
                future.complete(value);
            } else {
                failed.incrementAndGet();
                LOG.warn("Background task '{}' failed", name, error);
                future.completeExceptionally(error);
            }
            settled();
        }

        /** The submitter (or the drain) cancelled the future. */
        void cancelled(boolean interrupt) {
            if (transition(State.SCHEDULED, State.DONE)) {
                ScheduledFuture<?> f = timerFuture;
                if (f != null) {
                    f.cancel(false);
                }
                scheduled.decrementAndGet();
                live.remove(this);
                cancelled.incrementAndGet();
                settled();
            } else if (transition(State.QUEUED, State.DONE)) {
                if (platform != null) {
                    platform.remove(this);
                }
                queued.decrementAndGet();
                live.remove(this);
                releasePermit();
                cancelled.incrementAndGet();
                settled();
            } else if (state == State.RUNNING) {
                Thread t = thread;
                if (interrupt && t != null) {
                    t.interrupt();
                }
                if (thread == null && asyncBody != null) {
                    // An async task's stage is out of our hands; count it cancelled now.
                    finish(null, null);
                }
            }
        }
    }

    /** A future whose cancel reaches the task: unschedule, dequeue, or interrupt. */
    private static final class TaskFuture<T> extends CompletableFuture<T> {
        private final Task<T> task;

        TaskFuture(Task<T> task) {
            this.task = task;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean done = super.cancel(mayInterruptIfRunning);
            if (done) {
                task.cancelled(mayInterruptIfRunning);
            }
            return done;
        }
    }
}
