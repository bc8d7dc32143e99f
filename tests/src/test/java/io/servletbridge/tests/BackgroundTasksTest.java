package io.servletbridge.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.servletbridge.Loop;
import io.servletbridge.background.BackgroundTasks;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.http.HttpServlet;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Assumptions;

/** Work that outlives the response (design invariant 5, {@link BackgroundTasks}). */
class BackgroundTasksTest {
    private static final AtomicInteger SERVERS = new AtomicInteger();

    /** A display name no other server in this JVM has, so each server's MBean is its own. */
    private static String uniqueName(String what, Loop loop) {
        return "bg-" + what + "-" + loop.id() + "-" + SERVERS.incrementAndGet();
    }

    private static BackgroundTasks tasks(TestServer server) {
        return BackgroundTasks.of(server.bridge().servletContext());
    }

    @FunctionalInterface
    private interface Work {
        void run() throws Exception;
    }

    /** A background task body that may throw checked exceptions (an interrupt stays visible to the executor). */
    private static Runnable task(Work work) {
        return () -> {
            try {
                work.run();
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    /** The workload of a task that takes {@code millis} (a timed wait on a latch nobody releases; not a sync). */
    private static void work(long millis) throws InterruptedException {
        new CountDownLatch(1).await(millis, TimeUnit.MILLISECONDS);
    }

    @BothLoops
    void theResponseDoesNotWaitForABackgroundTask(Loop loop) throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        AtomicReference<CompletableFuture<Void>> future = new AtomicReference<>();
        HttpServlet s = Servlets.of((req, resp) -> {
            future.set(BackgroundTasks.of(req).run("slow-job", task(() -> {
                started.countDown();
                Servlets.await(release);
                finished.set(true);
            })));
            resp.setStatus(202);
        });
        try (TestServer server = TestServer.start(loop, b -> b.displayName(uniqueName("response", loop))
                .servlet("s", s, "/s"))) {
            try {
                HttpResponse<String> r = Http.get(server.uri("/s"));
                assertEquals(202, r.statusCode());
                assertFalse(finished.get(), "the response arrived while the task was still running");
                assertFalse(future.get().isDone());
                assertTrue(started.await(5, TimeUnit.SECONDS), "the task starts without any further request");
                BackgroundTasks.Stats running = tasks(server).stats();
                assertEquals(1, running.running(), running.toString());
                assertEquals(0, running.completed(), running.toString());
            } finally {
                release.countDown();
            }
            await().atMost(Duration.ofSeconds(5)).untilTrue(finished);
            assertNull(future.get().get(5, TimeUnit.SECONDS));
            await().atMost(Duration.ofSeconds(5)).until(() -> tasks(server).stats().completed() == 1);
            BackgroundTasks.Stats after = tasks(server).stats();
            assertEquals(0, after.running(), after.toString());
            assertEquals(0, after.failed(), after.toString());
            assertEquals(0, after.cancelled(), after.toString());
        }
    }

    @BothLoops
    void aTaskKeepsRunningAfterTheClientClosedTheConnection(Loop loop) throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        AtomicBoolean interrupted = new AtomicBoolean();
        HttpServlet s = Servlets.of((req, resp) -> {
            BackgroundTasks.of(req).run("after-close", task(() -> {
                started.countDown();
                Servlets.await(release);
                interrupted.set(Thread.currentThread().isInterrupted());
                finished.set(true);
            }));
            resp.setStatus(202);
        });
        try (TestServer server = TestServer.start(loop, b -> b.displayName(uniqueName("close", loop))
                .servlet("s", s, "/s").servlet("ok", Servlets.text("ok"), "/ok"))) {
            try {
                try (RawHttp c = server.raw()) {
                    c.get("/s");
                    assertEquals(202, c.readFinal().status());
                }
                assertTrue(started.await(5, TimeUnit.SECONDS));
                // Another exchange comes and goes after the first connection closed; the task is untouched.
                assertEquals("ok", Http.get(server.uri("/ok")).body());
                assertFalse(finished.get());
                assertEquals(1, tasks(server).stats().running(), tasks(server).stats().toString());
            } finally {
                release.countDown();
            }
            await().atMost(Duration.ofSeconds(5)).untilTrue(finished);
            assertFalse(interrupted.get(), "the task must not be interrupted because its client left");
            await().atMost(Duration.ofSeconds(5)).until(() -> tasks(server).stats().completed() == 1);
            assertEquals(0, tasks(server).stats().cancelled());
            assertEquals(0, tasks(server).stats().failed());
        }
    }

    @BothLoops
    void aTaskOutlivesAnExchangeWhoseClientWentAwayMidRequest(Loop loop) throws Exception {
        CountDownLatch submitted = new CountDownLatch(1);
        CountDownLatch clientGone = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        HttpServlet s = Servlets.of((req, resp) -> {
            BackgroundTasks.of(req).run("orphan", task(() -> {
                Servlets.await(release);
                finished.set(true);
            }));
            submitted.countDown();
            Servlets.await(clientGone);
            resp.getWriter().print("nobody reads this");
        });
        try (TestServer server = TestServer.start(loop, b -> b.displayName(uniqueName("abort", loop))
                .servlet("s", s, "/s").servlet("ok", Servlets.text("ok"), "/ok"))) {
            try {
                RawHttp c = server.raw();
                c.get("/s");
                assertTrue(submitted.await(5, TimeUnit.SECONDS));
                c.abort();
                clientGone.countDown();
                assertEquals("ok", Http.get(server.uri("/ok")).body());
                assertFalse(finished.get());
            } finally {
                clientGone.countDown();
                release.countDown();
            }
            await().atMost(Duration.ofSeconds(5)).untilTrue(finished);
            await().atMost(Duration.ofSeconds(5)).until(() -> tasks(server).stats().completed() == 1);
            assertEquals(0, tasks(server).stats().cancelled());
        }
    }

    @BothLoops
    void submitHandsTheResultToTheFutureAndRunsApartFromRequestWorkers(Loop loop) {
        AtomicReference<String> servletThread = new AtomicReference<>();
        AtomicReference<String> taskThread = new AtomicReference<>();
        HttpServlet s = Servlets.of((req, resp) -> {
            servletThread.set(Thread.currentThread().getName());
            CompletableFuture<Integer> answer = BackgroundTasks.of(req).submit("answer", () -> {
                taskThread.set(Thread.currentThread().getName());
                return 6 * 7;
            });
            resp.getWriter().print(answer.get(5, TimeUnit.SECONDS));
        });
        // One request worker, busy waiting for the answer: the task cannot be running on it.
        try (TestServer server = TestServer.start(loop, b -> b.displayName(uniqueName("submit", loop))
                .workers(1, 10).servlet("s", s, "/s"))) {
            assertEquals("42", Http.get(server.uri("/s")).body());
            assertNotEquals(servletThread.get(), taskThread.get());
            assertFalse(taskThread.get().startsWith("bridge-worker-"), "a task ran on a request worker: "
                    + taskThread.get());
            await().atMost(Duration.ofSeconds(5)).until(() -> tasks(server).stats().completed() == 1);
        }
    }

    @BothLoops
    void anAsyncTaskCountsAsRunningUntilItsStageCompletes(Loop loop) throws Exception {
        CompletableFuture<String> stage = new CompletableFuture<>();
        CountDownLatch supplied = new CountDownLatch(1);
        AtomicReference<CompletableFuture<String>> future = new AtomicReference<>();
        HttpServlet s = Servlets.of((req, resp) -> {
            future.set(BackgroundTasks.of(req).submitAsync("async", () -> {
                supplied.countDown();
                return stage;
            }));
            resp.setStatus(202);
        });
        try (TestServer server = TestServer.start(loop, b -> b.displayName(uniqueName("async", loop))
                .servlet("s", s, "/s"))) {
            try {
                assertEquals(202, Http.get(server.uri("/s")).statusCode());
                assertTrue(supplied.await(5, TimeUnit.SECONDS));
                BackgroundTasks.Stats pending = tasks(server).stats();
                assertEquals(1, pending.running(), "the stage is incomplete: " + pending);
                assertEquals(0, pending.completed(), pending.toString());
                assertFalse(future.get().isDone());
            } finally {
                stage.complete("done");
            }
            assertEquals("done", future.get().get(5, TimeUnit.SECONDS));
            await().atMost(Duration.ofSeconds(5)).until(() -> tasks(server).stats().completed() == 1);
            assertEquals(0, tasks(server).stats().running());
            assertEquals(0, tasks(server).stats().failed());
        }
    }

    @BothLoops
    void anAsyncTaskWhoseStageFailsCountsAsFailed(Loop loop) throws Exception {
        CompletableFuture<String> stage = new CompletableFuture<>();
        try (TestServer server = TestServer.start(loop, b -> b.displayName(uniqueName("async-fail", loop))
                .servlet("ok", Servlets.text("ok"), "/ok"))) {
            CompletableFuture<String> future = tasks(server).submitAsync("async-doomed", () -> stage);
            await().atMost(Duration.ofSeconds(5)).until(() -> tasks(server).stats().running() == 1);
            stage.completeExceptionally(new IllegalStateException("async boom"));
            ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(5, TimeUnit.SECONDS));
            assertEquals("async boom", rootCause(e).getMessage());
            await().atMost(Duration.ofSeconds(5)).until(() -> tasks(server).stats().failed() == 1);
            assertEquals(0, tasks(server).stats().running());
            assertEquals(0, tasks(server).stats().completed());
        }
    }

    @BothLoops
    void aFailingTaskIsCountedAndLoggedAndHarmsNothingElse(Loop loop) throws Exception {
        String name = uniqueName("doomed-task", loop);
        AtomicReference<CompletableFuture<Void>> doomed = new AtomicReference<>();
        AtomicReference<CompletableFuture<Void>> next = new AtomicReference<>();
        AtomicBoolean nextRan = new AtomicBoolean();
        HttpServlet s = Servlets.of((req, resp) -> {
            if (req.getParameter("fail") != null) {
                doomed.set(BackgroundTasks.of(req).run(name, () -> {
                    throw new IllegalArgumentException("boom from " + name);
                }));
            } else {
                next.set(BackgroundTasks.of(req).run("next", () -> nextRan.set(true)));
            }
            resp.setStatus(202);
        });
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        System.setErr(new PrintStream(new LogTee(originalErr, log), true, StandardCharsets.UTF_8));
        try (TestServer server = TestServer.start(loop, b -> b.displayName(uniqueName("fail", loop))
                .servlet("s", s, "/s").servlet("ok", Servlets.text("ok"), "/ok"))) {
            assertEquals(202, Http.get(server.uri("/s?fail=1")).statusCode());
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> doomed.get().get(5, TimeUnit.SECONDS));
            assertInstanceOf(IllegalArgumentException.class, e.getCause());
            assertEquals("boom from " + name, e.getCause().getMessage());
            await().atMost(Duration.ofSeconds(5)).until(() -> tasks(server).stats().failed() == 1);

            assertEquals(202, Http.get(server.uri("/s")).statusCode());
            next.get().get(5, TimeUnit.SECONDS);
            assertTrue(nextRan.get(), "a task after the failed one still runs");
            assertEquals("ok", Http.get(server.uri("/ok")).body(), "the server still serves");
            await().atMost(Duration.ofSeconds(5)).until(() -> tasks(server).stats().completed() == 1);
            assertEquals(1, tasks(server).stats().failed());
            await().atMost(Duration.ofSeconds(5)).until(() -> LogTee.captured(log).contains(name));
        } finally {
            System.setErr(originalErr);
        }
    }

    @BothLoops
    void aScheduledTaskRunsOnceItsDelayHasPassed(Loop loop) throws Exception {
        AtomicLong submittedAt = new AtomicLong();
        AtomicLong ranAt = new AtomicLong();
        CountDownLatch ran = new CountDownLatch(1);
        AtomicReference<CompletableFuture<String>> future = new AtomicReference<>();
        HttpServlet s = Servlets.of((req, resp) -> {
            submittedAt.set(System.nanoTime());
            future.set(BackgroundTasks.of(req).schedule("later", Duration.ofMillis(200), () -> {
                ranAt.set(System.nanoTime());
                ran.countDown();
                return "late";
            }));
            resp.setStatus(202);
        });
        try (TestServer server = TestServer.start(loop, b -> b.displayName(uniqueName("schedule", loop))
                .servlet("s", s, "/s"))) {
            assertEquals(202, Http.get(server.uri("/s")).statusCode());
            assertTrue(ran.await(5, TimeUnit.SECONDS), "the scheduled task never ran");
            long millis = TimeUnit.NANOSECONDS.toMillis(ranAt.get() - submittedAt.get());
            assertTrue(millis >= 150, "ran " + millis + " ms after it was scheduled with a 200 ms delay");
            assertEquals("late", future.get().get(5, TimeUnit.SECONDS));
            await().atMost(Duration.ofSeconds(5)).until(() -> tasks(server).stats().completed() == 1);
            assertEquals(0, tasks(server).stats().scheduled());
        }
    }

    @BothLoops
    void aScheduledTaskCancelledBeforeItIsDueNeverRuns(Loop loop) throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        try (TestServer server = TestServer.start(loop, b -> b.displayName(uniqueName("cancel", loop))
                .servlet("ok", Servlets.text("ok"), "/ok"))) {
            CompletableFuture<String> future = tasks(server).schedule("never", Duration.ofMillis(500), () -> {
                ran.countDown();
                return "too late";
            });
            assertEquals(1, tasks(server).stats().scheduled(), tasks(server).stats().toString());
            assertTrue(future.cancel(false), "the task was not due yet");
            assertThrows(CancellationException.class, () -> future.get(1, TimeUnit.SECONDS));
            // Watch past the time it would have been due.
            assertFalse(ran.await(1000, TimeUnit.MILLISECONDS), "a cancelled task ran");
            BackgroundTasks.Stats stats = tasks(server).stats();
            assertEquals(1, stats.cancelled(), stats.toString());
            assertEquals(0, stats.scheduled(), stats.toString());
            assertEquals(0, stats.completed(), stats.toString());
            assertEquals("ok", Http.get(server.uri("/ok")).body());
        }
    }

    @BothLoops
    void aFullExecutorRejectsASubmissionAtOnce(Loop loop) throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        List<CompletableFuture<Void>> futures = new CopyOnWriteArrayList<>();
        AtomicBoolean rejectedAtOnce = new AtomicBoolean();
        HttpServlet s = Servlets.of((req, resp) -> {
            BackgroundTasks tasks = BackgroundTasks.of(req);
            futures.add(tasks.run("blocker", task(() -> {
                runs.incrementAndGet();
                started.countDown();
                Servlets.await(release);
            })));
            Servlets.await(started);
            futures.add(tasks.run("queued", runs::incrementAndGet));
            CompletableFuture<Void> third = tasks.run("one-too-many", runs::incrementAndGet);
            rejectedAtOnce.set(third.isCompletedExceptionally());
            futures.add(third);
            resp.setStatus(202);
        });
        try (TestServer server = TestServer.start(loop, b -> b.displayName(uniqueName("full", loop))
                .backgroundTasks(1, 1).servlet("s", s, "/s"))) {
            try {
                assertEquals(202, Http.get(server.uri("/s")).statusCode());
                assertTrue(rejectedAtOnce.get(), "submitting never waits for room");
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> futures.get(2).get(1, TimeUnit.SECONDS));
                assertInstanceOf(RejectedExecutionException.class, e.getCause());
                BackgroundTasks.Stats stats = tasks(server).stats();
                assertEquals(1, stats.running(), stats.toString());
                assertEquals(1, stats.queued(), stats.toString());
            } finally {
                release.countDown();
            }
            futures.get(0).get(5, TimeUnit.SECONDS);
            futures.get(1).get(5, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(5)).until(() -> tasks(server).stats().completed() == 2);
            assertEquals(2, runs.get(), "the rejected task never ran");
            assertEquals(0, tasks(server).stats().queued());
            tasks(server).run("room-again", () -> { }).get(5, TimeUnit.SECONDS);
        }
    }

    @BothLoops
    void countsArePublishedOverJmxWhileTheServerRuns(Loop loop) throws Exception {
        String context = uniqueName("jmx", loop);
        MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TestServer server = TestServer.start(loop, b -> b.displayName(context).backgroundTasks(1, 1)
                .servlet("ok", Servlets.text("ok"), "/ok"));
        try {
            BackgroundTasks tasks = tasks(server);
            Set<ObjectName> names = mbeansFor(mbeans, context);
            assertEquals(1, names.size(), "one MBean for the running server: " + names);
            ObjectName name = names.iterator().next();

            tasks.run("fine", () -> { }).get(5, TimeUnit.SECONDS);
            CompletableFuture<Void> failing = tasks.run("failing", () -> {
                throw new IllegalStateException("expected by the test");
            });
            assertThrows(ExecutionException.class, () -> failing.get(5, TimeUnit.SECONDS));
            CompletableFuture<String> due = tasks.schedule("in-a-minute", Duration.ofMinutes(1), () -> "x");
            CompletableFuture<String> dropped = tasks.schedule("dropped", Duration.ofMinutes(1), () -> "y");
            assertTrue(dropped.cancel(false));
            tasks.run("blocker", task(() -> {
                started.countDown();
                Servlets.await(release);
            }));
            assertTrue(started.await(5, TimeUnit.SECONDS));
            CompletableFuture<Void> queued = tasks.run("queued", () -> { });

            await().atMost(Duration.ofSeconds(5)).until(() -> attribute(mbeans, name, "Completed") == 1
                    && attribute(mbeans, name, "Failed") == 1 && attribute(mbeans, name, "Cancelled") == 1);
            assertEquals(1L, attribute(mbeans, name, "Completed"));
            assertEquals(1L, attribute(mbeans, name, "Failed"));
            assertEquals(1L, attribute(mbeans, name, "Running"));
            assertEquals(1L, attribute(mbeans, name, "Queued"));
            assertEquals(1L, attribute(mbeans, name, "Scheduled"));
            assertEquals(1L, attribute(mbeans, name, "Cancelled"));
            assertEquals(new BackgroundTasks.Stats(1, 1, 1, 1, 1, 1), tasks.stats());

            release.countDown();
            queued.get(5, TimeUnit.SECONDS);
            assertTrue(due.cancel(false));
            await().atMost(Duration.ofSeconds(5)).until(() -> attribute(mbeans, name, "Completed") == 3);
            assertEquals(0L, attribute(mbeans, name, "Running"));
            assertEquals(0L, attribute(mbeans, name, "Queued"));
            assertEquals(0L, attribute(mbeans, name, "Scheduled"));
            assertEquals(2L, attribute(mbeans, name, "Cancelled"));
            assertEquals(1L, attribute(mbeans, name, "Failed"));
        } finally {
            release.countDown();
            server.close();
        }
        assertEquals(Set.of(), mbeansFor(mbeans, context), "the MBean is unregistered when the server stops");
    }

    @BothLoops
    void stopWaitsForRunningAndQueuedTasks(Loop loop) throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean longDone = new AtomicBoolean();
        AtomicBoolean queuedDone = new AtomicBoolean();
        HttpServlet s = Servlets.of((req, resp) -> {
            BackgroundTasks tasks = BackgroundTasks.of(req);
            tasks.run("two-seconds", task(() -> {
                started.countDown();
                work(2000);
                longDone.set(true);
            }));
            tasks.run("queued-behind", () -> queuedDone.set(true));
            resp.setStatus(202);
        });
        try (TestServer server = TestServer.start(loop, b -> b.displayName(uniqueName("drain", loop))
                .backgroundTasks(1, 4).servlet("s", s, "/s"))) {
            assertEquals(202, Http.get(server.uri("/s")).statusCode());
            assertTrue(started.await(5, TimeUnit.SECONDS));
            long start = System.nanoTime();
            server.bridge().stop(Duration.ofSeconds(5));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(longDone.get(), "stop returned before the running task finished");
            assertTrue(queuedDone.get(), "stop returned before the queued task ran");
            assertTrue(millis >= 1500, "stop took only " + millis + " ms");
            assertTrue(millis < 4500, "stop took " + millis + " ms");
            BackgroundTasks.Stats stats = tasks(server).stats();
            assertEquals(2, stats.completed(), stats.toString());
            assertEquals(0, stats.cancelled(), stats.toString());
        }
    }

    @BothLoops
    void stopInterruptsATaskStillRunningAtTheDeadline(Loop loop) throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        AtomicReference<CompletableFuture<String>> future = new AtomicReference<>();
        HttpServlet s = Servlets.of((req, resp) -> {
            future.set(BackgroundTasks.of(req).submit("sixty-seconds", () -> {
                started.countDown();
                try {
                    never.await(60, TimeUnit.SECONDS);
                    return "not interrupted";
                } catch (InterruptedException e) {
                    interrupted.countDown();
                    throw e;
                }
            }));
            resp.setStatus(202);
        });
        try (TestServer server = TestServer.start(loop, b -> b.displayName(uniqueName("deadline", loop))
                .servlet("s", s, "/s"))) {
            assertEquals(202, Http.get(server.uri("/s")).statusCode());
            assertTrue(started.await(5, TimeUnit.SECONDS));
            long start = System.nanoTime();
            server.bridge().stop(Duration.ofSeconds(1));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis < 3000, "stop(1 s) took " + millis + " ms");
            assertTrue(interrupted.await(2, TimeUnit.SECONDS), "the task was not interrupted");
            BackgroundTasks.Stats stats = tasks(server).stats();
            assertEquals(1, stats.cancelled(), stats.toString());
            assertEquals(0, stats.completed(), stats.toString());
            assertEquals(0, stats.failed(), "interrupted at shutdown counts as cancelled: " + stats);
            assertEquals(0, stats.running(), stats.toString());
            await().atMost(Duration.ofSeconds(2)).until(() -> future.get().isDone());
            assertTrue(future.get().isCompletedExceptionally());
        } finally {
            never.countDown();
        }
    }

    @BothLoops
    void submittingAfterStopBeganIsRejected(Loop loop) throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean blockerDone = new AtomicBoolean();
        try (TestServer server = TestServer.start(loop, b -> b.displayName(uniqueName("reject", loop))
                .servlet("ok", Servlets.text("ok"), "/ok"))) {
            BackgroundTasks tasks = tasks(server);
            CompletableFuture<Void> blocker = tasks.run("blocker", task(() -> {
                started.countDown();
                Servlets.await(release);
                blockerDone.set(true);
            }));
            assertTrue(started.await(5, TimeUnit.SECONDS));
            CompletableFuture<Void> stopping;
            try {
                stopping = CompletableFuture.runAsync(() -> server.bridge().stop(Duration.ofSeconds(8)));
                // Probe until the draining bridge says no; probes taken before that are harmless no-ops.
                AtomicReference<CompletableFuture<Void>> refused = new AtomicReference<>();
                await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> {
                    CompletableFuture<Void> probe = tasks.run("probe", () -> { });
                    if (probe.isCompletedExceptionally()) {
                        refused.set(probe);
                        return true;
                    }
                    return false;
                });
                ExecutionException e = assertThrows(ExecutionException.class, () -> refused.get().get());
                assertInstanceOf(RejectedExecutionException.class, e.getCause());
                assertFalse(stopping.isDone(), "stop waits for the running task");
                assertFalse(blockerDone.get());
            } finally {
                release.countDown();
            }
            stopping.get(8, TimeUnit.SECONDS);
            assertTrue(blockerDone.get());
            assertNull(blocker.get(1, TimeUnit.SECONDS));
            CompletableFuture<Void> late = tasks.run("after-stop", () -> { });
            assertTrue(late.isCompletedExceptionally(), "submitting after stop fails at once");
            ExecutionException e = assertThrows(ExecutionException.class, () -> late.get());
            assertInstanceOf(RejectedExecutionException.class, e.getCause());
        }
    }

    @BothLoops
    void aTaskScheduledBeforeStopIsNeitherLostNorSilentlyDropped(Loop loop) throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        try (TestServer server = TestServer.start(loop, b -> b.displayName(uniqueName("due-in-drain", loop))
                .servlet("ok", Servlets.text("ok"), "/ok"))) {
            CompletableFuture<String> future = tasks(server).schedule("due-while-draining", Duration.ofMillis(300),
                    () -> {
                        ran.countDown();
                        return "ran";
                    });
            // Due 300 ms from now, well inside the grace period: the drain must either run it or report it
            // cancelled (invariant 5), never let it vanish uncounted.
            server.bridge().stop(Duration.ofSeconds(5));
            BackgroundTasks.Stats stats = tasks(server).stats();
            assertEquals(0, stats.scheduled(), stats.toString());
            assertEquals(1, stats.completed() + stats.cancelled(),
                    "the scheduled task was neither run nor counted as cancelled: " + stats + ", future " + future);
            if (stats.completed() == 1) {
                assertEquals(0, ran.getCount());
                assertEquals("ran", future.get(1, TimeUnit.SECONDS));
            } else {
                assertTrue(future.isCancelled(), "a task cancelled at shutdown has a cancelled future: " + future);
            }
        }
    }

    @BothLoops
    void aTaskDueAfterTheDeadlineIsCancelledAndReported(Loop loop) throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        try (TestServer server = TestServer.start(loop, b -> b.displayName(uniqueName("due-later", loop))
                .servlet("ok", Servlets.text("ok"), "/ok"))) {
            CompletableFuture<String> future = tasks(server).schedule("in-a-minute", Duration.ofMinutes(1), () -> {
                ran.countDown();
                return "ran";
            });
            long start = System.nanoTime();
            server.bridge().stop(Duration.ofSeconds(1));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis < 3000, "stop(1 s) took " + millis + " ms");
            assertTrue(future.isCancelled(), future.toString());
            BackgroundTasks.Stats stats = tasks(server).stats();
            assertEquals(1, stats.cancelled(), stats.toString());
            assertEquals(0, stats.scheduled(), stats.toString());
            assertEquals(1, ran.getCount(), "a task cancelled at shutdown never runs");
        }
    }

    @BothLoops
    void contextListenersAreToldOnlyAfterTheDrain(Loop loop) throws Exception {
        List<String> order = new CopyOnWriteArrayList<>();
        CountDownLatch started = new CountDownLatch(1);
        ServletContextListener listener = new ServletContextListener() {
            @Override
            public void contextDestroyed(ServletContextEvent sce) {
                order.add("contextDestroyed");
            }
        };
        HttpServlet s = Servlets.of((req, resp) -> {
            BackgroundTasks.of(req).run("last-words", task(() -> {
                started.countDown();
                work(300);
                order.add("task end");
            }));
            resp.setStatus(202);
        });
        try (TestServer server = TestServer.start(loop, b -> b.displayName(uniqueName("order", loop))
                .listener(listener).servlet("s", s, "/s"))) {
            assertEquals(202, Http.get(server.uri("/s")).statusCode());
            assertTrue(started.await(5, TimeUnit.SECONDS));
            server.bridge().stop(Duration.ofSeconds(5));
            assertEquals(List.of("task end", "contextDestroyed"), order);
        }
    }

    @BothLoops
    void virtualThreadsRunTasksOnJdk21(Loop loop) throws Exception {
        Assumptions.assumeTrue(Runtime.version().feature() >= 21, "needs JDK 21+");
        HttpServlet s = Servlets.of((req, resp) -> resp.getWriter().print(BackgroundTasks.of(req)
                .submit("virtual", () -> Thread.class.getMethod("isVirtual").invoke(Thread.currentThread()))
                .get(5, TimeUnit.SECONDS)));
        try (TestServer server = TestServer.start(loop, b -> b.displayName(uniqueName("virtual", loop))
                .backgroundVirtualThreads(100).servlet("s", s, "/s"))) {
            assertEquals("true", Http.get(server.uri("/s")).body());
        }
    }

    @BothLoops
    void virtualThreadTasksOnAnOlderJdkFailStartClearly(Loop loop) {
        Assumptions.assumeTrue(Runtime.version().feature() < 21, "only on JDK 17-20");
        RuntimeException e = assertThrows(RuntimeException.class, () -> TestServer.builder(loop)
                .displayName(uniqueName("no-virtual", loop)).backgroundVirtualThreads(100)
                .servlet("s", Servlets.text("ok"), "/s").start().stop());
        assertTrue(e instanceof IllegalStateException || e instanceof UnsupportedOperationException,
                "expected IllegalStateException or UnsupportedOperationException: " + e);
        String message = String.valueOf(e.getMessage());
        assertTrue(message.toLowerCase(Locale.ROOT).contains("virtual"), "the message says why: " + message);
    }

    // ---------------------------------------------------------------------------------------------------------

    private static Set<ObjectName> mbeansFor(MBeanServer mbeans, String context) throws Exception {
        Set<ObjectName> mine = new java.util.HashSet<>();
        for (ObjectName n : mbeans.queryNames(new ObjectName("io.servletbridge:type=BackgroundTasks,*"), null)) {
            String value = n.getKeyProperty("context");
            if (value != null && value.startsWith("\"")) {
                value = ObjectName.unquote(value);
            }
            if (context.equals(value)) {
                mine.add(n);
            }
        }
        return mine;
    }

    private static long attribute(MBeanServer mbeans, ObjectName name, String attribute) throws Exception {
        Object value = mbeans.getAttribute(name, attribute);
        assertInstanceOf(Long.class, value, attribute + " is a long");
        return (Long) value;
    }

    private static Throwable rootCause(Throwable t) {
        Throwable cur = t;
        List<Throwable> seen = new ArrayList<>();
        while (cur.getCause() != null && !seen.contains(cur.getCause())) {
            seen.add(cur);
            cur = cur.getCause();
        }
        return cur;
    }


}
