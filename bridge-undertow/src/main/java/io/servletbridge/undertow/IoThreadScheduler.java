package io.servletbridge.undertow;

import org.xnio.XnioIoThread;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One XNIO IO thread seen as a {@link ScheduledExecutorService}, so the bridge can run timers on the loop that owns
 * an exchange without holding a thread. Timers are XNIO's own, with millisecond resolution.
 *
 * <p>This is a view: the server owns the thread, so the shutdown methods refuse and the state methods report the
 * worker's.
 */
final class IoThreadScheduler extends AbstractExecutorService implements ScheduledExecutorService {

    private final XnioIoThread thread;

    IoThreadScheduler(XnioIoThread thread) {
        this.thread = thread;
    }

    @Override
    public void execute(Runnable command) {
        thread.execute(command);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return arm(new IoThreadTask<>(thread, Executors.callable(command, null), unit.toNanos(delay), 0));
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return arm(new IoThreadTask<>(thread, callable, unit.toNanos(delay), 0));
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        if (period <= 0) {
            throw new IllegalArgumentException("period must be positive");
        }
        return arm(new IoThreadTask<>(thread, Executors.callable(command, null), unit.toNanos(initialDelay),
                unit.toNanos(period)));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        if (delay <= 0) {
            throw new IllegalArgumentException("delay must be positive");
        }
        return arm(new IoThreadTask<>(thread, Executors.callable(command, null), unit.toNanos(initialDelay),
                -unit.toNanos(delay)));
    }

    private static <V> IoThreadTask<V> arm(IoThreadTask<V> task) {
        task.arm();
        return task;
    }

    @Override
    public void shutdown() {
        throw new UnsupportedOperationException("the loop belongs to the server; stop the LoopServer instead");
    }

    @Override
    public List<Runnable> shutdownNow() {
        throw new UnsupportedOperationException("the loop belongs to the server; stop the LoopServer instead");
    }

    @Override
    public boolean isShutdown() {
        return thread.getWorker().isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return thread.getWorker().isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        throw new UnsupportedOperationException("the loop belongs to the server; stop the LoopServer instead");
    }
}
