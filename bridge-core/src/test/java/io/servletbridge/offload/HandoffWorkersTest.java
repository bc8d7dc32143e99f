package io.servletbridge.offload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HandoffWorkersTest {

    @Test
    void capacityIsRunningPlusQueuedAndFreesUpAsTasksEnd() throws Exception {
        WorkerPool pool = WorkerPool.threads(2, 3);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(2);
        try {
            int accepted = 0;
            for (int i = 0; i < 10; i++) {
                if (pool.tryExecute(() -> {
                    running.countDown();
                    await(release);
                }, null)) {
                    accepted++;
                }
            }
            assertEquals(5, accepted, "2 running + 3 queued, the rest refused at once");
            assertTrue(running.await(10, TimeUnit.SECONDS));
            release.countDown();
            CountDownLatch later = new CountDownLatch(1);
            // Once the blocked ones finish there is room again.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            boolean taken = false;
            while (!taken && System.nanoTime() < deadline) {
                taken = pool.tryExecute(later::countDown, null);
                if (!taken) {
                    Thread.onSpinWait();
                }
            }
            assertTrue(taken);
            assertTrue(later.await(10, TimeUnit.SECONDS));
        } finally {
            release.countDown();
            pool.shutdown(Duration.ofSeconds(5));
        }
    }

    @Test
    void noTaskWaitsForTheNextSubmissionToBeNoticed() throws Exception {
        // Hunts lost wake-ups: each round submits a small burst and waits for it, so a task left in the queue while
        // every worker parks would stay there (nothing else comes to pick it up) and the round would time out.
        // Rounds alternate between back-to-back (a spinner takes them) and after a pause (workers have parked).
        WorkerPool pool = WorkerPool.threads(4, 100);
        try {
            for (int round = 0; round < 20_000; round++) {
                int burst = 1 + round % 3;
                CountDownLatch done = new CountDownLatch(burst);
                for (int i = 0; i < burst; i++) {
                    assertTrue(pool.tryExecute(done::countDown, null));
                }
                assertTrue(done.await(10, TimeUnit.SECONDS), "round " + round + ": a task was never picked up");
                if (round % 50 == 0) {
                    // Longer than a worker spins, so the next round finds every worker parked.
                    java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
                }
            }
        } finally {
            pool.shutdown(Duration.ofSeconds(5));
        }
    }

    @Test
    void everyTaskRunsWhenSeveralThreadsSubmitAtOnce() throws Exception {
        WorkerPool pool = WorkerPool.threads(8, 100_000);
        int submitters = 4;
        int perSubmitter = 20_000;
        CountDownLatch done = new CountDownLatch(submitters * perSubmitter);
        Set<String> names = ConcurrentHashMap.newKeySet();
        AtomicInteger refused = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < submitters; s++) {
            Thread t = new Thread(() -> {
                for (int i = 0; i < perSubmitter; i++) {
                    if (!pool.tryExecute(() -> {
                        names.add(Thread.currentThread().getName());
                        done.countDown();
                    }, null)) {
                        refused.incrementAndGet();
                        done.countDown();
                    }
                }
            });
            threads.add(t);
            t.start();
        }
        try {
            for (Thread t : threads) {
                t.join(30_000);
            }
            assertTrue(done.await(30, TimeUnit.SECONDS), "tasks left unrun: " + done.getCount());
            assertEquals(0, refused.get());
            assertTrue(names.stream().allMatch(n -> n.startsWith("bridge-worker-")), names.toString());
        } finally {
            pool.shutdown(Duration.ofSeconds(5));
        }
    }

    @Test
    void aTaskThatThrowsAnErrorDoesNotCostAWorker() throws Exception {
        WorkerPool pool = WorkerPool.threads(1, 10);
        try {
            assertTrue(pool.tryExecute(() -> {
                throw new AssertionError("boom");
            }, null));
            CountDownLatch ran = new CountDownLatch(1);
            assertTrue(pool.tryExecute(ran::countDown, null));
            assertTrue(ran.await(10, TimeUnit.SECONDS));
        } finally {
            pool.shutdown(Duration.ofSeconds(5));
        }
    }

    @Test
    void anInterruptLeftByOneTaskDoesNotReachTheNext() throws Exception {
        WorkerPool pool = WorkerPool.threads(1, 10);
        try {
            assertTrue(pool.tryExecute(() -> Thread.currentThread().interrupt(), null));
            AtomicBoolean sawInterrupt = new AtomicBoolean(true);
            CountDownLatch ran = new CountDownLatch(1);
            assertTrue(pool.tryExecute(() -> {
                sawInterrupt.set(Thread.currentThread().isInterrupted());
                ran.countDown();
            }, null));
            assertTrue(ran.await(10, TimeUnit.SECONDS));
            assertFalse(sawInterrupt.get());
        } finally {
            pool.shutdown(Duration.ofSeconds(5));
        }
    }

    @Test
    void shutdownRunsQueuedTasksThenInterruptsWhatOutlivesTheGrace() throws Exception {
        WorkerPool pool = WorkerPool.threads(1, 10);
        CountDownLatch never = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(1);
        assertTrue(pool.tryExecute(() -> {
            started.countDown();
            try {
                never.await();
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        }, null));
        AtomicBoolean queuedRan = new AtomicBoolean();
        assertTrue(pool.tryExecute(() -> queuedRan.set(true), null));
        assertTrue(started.await(10, TimeUnit.SECONDS));
        pool.shutdown(Duration.ofMillis(200));
        assertTrue(interrupted.get(), "the task still running after the grace period is interrupted");
        assertTrue(queuedRan.get(), "a task accepted before the stop still runs");
        assertFalse(pool.tryExecute(() -> { }, null), "a stopped pool takes nothing");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aBatchSubmittedFromALoopGetsAWorkerPerBlockingTask() throws Exception {
        // Four tasks that only finish together: if the deferred wake-up woke fewer workers than tasks (one worker
        // draining the queue is the point of deferring), a task would wait behind a blocked one and the barrier trip.
        int n = 4;
        WorkerPool pool = WorkerPool.threads(n, 16);
        ExecutorService loop = Executors.newSingleThreadExecutor();
        CyclicBarrier together = new CyclicBarrier(n);
        try {
            for (int round = 0; round < 50; round++) {
                CountDownLatch roundDone = new CountDownLatch(n);
                loop.execute(() -> {
                    for (int i = 0; i < n; i++) {
                        assertTrue(pool.tryExecute(() -> {
                            try {
                                together.await(10, TimeUnit.SECONDS);
                                roundDone.countDown();
                            } catch (Exception e) {
                                throw new AssertionError("a task ran without the others: " + e, e);
                            }
                        }, null, loop));
                    }
                });
                assertTrue(roundDone.await(15, TimeUnit.SECONDS), "round " + round + ": every task got a worker");
            }
        } finally {
            loop.shutdownNow();
            pool.shutdown(Duration.ofSeconds(5));
        }
    }

    @Test
    void aLargeDeferredBatchRunsCompletelyOnFewWorkers() throws Exception {
        WorkerPool pool = WorkerPool.threads(2, 1000);
        ExecutorService loop = Executors.newSingleThreadExecutor();
        int tasks = 500;
        CountDownLatch ran = new CountDownLatch(tasks);
        try {
            for (int burst = 0; burst < 10; burst++) {
                loop.execute(() -> {
                    for (int i = 0; i < tasks / 10; i++) {
                        assertTrue(pool.tryExecute(ran::countDown, null, loop));
                    }
                });
            }
            assertTrue(ran.await(15, TimeUnit.SECONDS), ran.getCount() + " tasks never ran");
        } finally {
            loop.shutdownNow();
            pool.shutdown(Duration.ofSeconds(5));
        }
    }
}
