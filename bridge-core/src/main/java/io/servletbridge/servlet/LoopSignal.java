package io.servletbridge.servlet;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes the application thread waiting on a stream's condition, from the loop thread, in a task of the loop's own
 * rather than at once.
 *
 * <p>On one core a woken thread preempts the thread that woke it. Signalled at once, a reader woken by the first
 * body piece of a socket read ran before the loop had delivered the second, found it missing and waited again: a
 * context switch per piece. From a task, the signal comes after the loop has handled everything that read gave it.
 * Nothing is scheduled while nobody waits, which is the common case of a reader that keeps up.
 */
final class LoopSignal implements Runnable {
    private final ReentrantLock lock;
    private final Condition condition;
    private final Executor loop;
    /** Guarded by lock. */
    private boolean scheduled;

    LoopSignal(ReentrantLock lock, Condition condition, Executor loop) {
        this.lock = lock;
        this.condition = condition;
        this.loop = loop;
    }

    /** Called with the lock held, on the loop thread. */
    void signalLocked() {
        if (scheduled || !lock.hasWaiters(condition)) {
            return;
        }
        try {
            loop.execute(this);
            scheduled = true;
        } catch (RejectedExecutionException stopped) {
            condition.signalAll();
        }
    }

    @Override
    public void run() {
        lock.lock();
        try {
            scheduled = false;
            condition.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
