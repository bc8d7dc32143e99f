package io.servletbridge.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.servletbridge.Loop;
import io.servletbridge.background.BackgroundTasks;
import jakarta.servlet.http.HttpServlet;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Timeout;

/**
 * Faults in background tasks (issue 4): tasks that throw and tasks that hang must not touch the response that
 * spawned them, are counted over JMX and logged, and cannot hold {@code stop(grace)} beyond a stated bound.
 */
class BackgroundFaultTest {
    private static final AtomicInteger SERVERS = new AtomicInteger();
    /**
     * What {@code stop(grace)} may take beyond the grace with a task that ignores interrupts: the task executor's
     * two-second wait for its threads after interrupting them (TaskRunner's drain), plus two seconds for stopping
     * the loop and the workers on a busy 2-core machine.
     */
    private static final Duration STOP_BOUND = Duration.ofSeconds(4);

    private static String uniqueName(String what, Loop loop) {
        return "bgfault-" + what + "-" + loop.id() + "-" + SERVERS.incrementAndGet();
    }

    private static long attribute(String context, String attribute) throws Exception {
        MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
        for (ObjectName n : mbeans.queryNames(new ObjectName("io.servletbridge:type=BackgroundTasks,*"), null)) {
            String value = n.getKeyProperty("context");
            if (value != null && value.startsWith("\"")) {
                value = ObjectName.unquote(value);
            }
            if (context.equals(value)) {
                return (Long) mbeans.getAttribute(n, attribute);
            }
        }
        throw new AssertionError("no BackgroundTasks MBean for " + context);
    }

    /** What each kind of failing task throws. */
    private static void fail(String kind, String name) {
        switch (kind) {
            case "runtime" -> throw new IllegalStateException("simulated failure of " + name);
            case "assertion" -> throw new AssertionError("simulated assertion failure of " + name);
            case "oom" -> throw new OutOfMemoryError("simulated: thrown explicitly by " + name);
            default -> throw new IllegalArgumentException(kind);
        }
    }

    @BothLoops
    @Timeout(60)
    void tasksThatThrowLeaveResponsesAndResourcesAloneAndAreCountedAndLogged(Loop loop) throws Exception {
        String context = uniqueName("throw", loop);
        List<String> kinds = List.of("runtime", "assertion", "oom");
        HttpServlet s = Servlets.of((req, resp) -> {
            String kind = req.getParameter("kind");
            if (kind != null) {
                String name = "doomed-" + kind + "-" + req.getParameter("n");
                BackgroundTasks.of(req).run(name, () -> fail(kind, name));
            } else {
                BackgroundTasks.of(req).run("fine", () -> { });
            }
            resp.getWriter().print("ok");
        });
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        System.setErr(new PrintStream(new LogTee(originalErr, log), true, StandardCharsets.UTF_8));
        try (TestServer server = TestServer.start(loop, b -> b.displayName(context).workers(2, 16)
                .backgroundTasks(2, 64)
                .servlet("s", s, "/s"))) {
            // The warm-up spawns tasks too, so the task threads exist before the baseline.
            Resources.Snapshot baseline = FaultTest.warmUpAndBaseline(server, "/s");
            long completedBefore = attribute(context, "Completed");
            int perKind = 10;
            FaultTest.runConcurrently(perKind * kinds.size(), 4, i -> {
                RawHttp.Response r = FaultTest.get(server, "/s?kind=" + kinds.get(i % kinds.size()) + "&n=" + i);
                assertEquals(200, r.status(), "the response does not wait for or depend on its task: " + r);
                assertEquals("ok", r.bodyText());
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> attribute(context, "Failed") == perKind * kinds.size());
            assertEquals(0L, attribute(context, "Running"));
            assertEquals(completedBefore, attribute(context, "Completed"), "a failure is not a completion");
            // Each failure is logged with its task's name, the Errors too.
            for (int i = 0; i < perKind * kinds.size(); i++) {
                String name = "doomed-" + kinds.get(i % kinds.size()) + "-" + i;
                await().atMost(Duration.ofSeconds(5)).until(() -> LogTee.captured(log).contains("'" + name + "' failed"));
            }
            // The executor's threads survived their tasks' Errors: later tasks still run.
            FaultTest.nextRequestsAreServed(server, "/s", "ok");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> attribute(context, "Completed") == completedBefore + 8);
            Resources.awaitBackTo(baseline);
        } finally {
            System.setErr(originalErr);
        }
    }

    /** Waits on {@code latch} until released or 30 s pass, swallowing interrupts, as badly written code does. */
    private static void awaitIgnoringInterrupts(CountDownLatch latch) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (latch.getCount() > 0 && System.nanoTime() < deadline) {
            try {
                latch.await(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException ignored) {
                // swallowed on purpose
            }
        }
    }

    @BothLoops
    @Timeout(60)
    void aTaskThatHangsIgnoringInterruptsHoldsNeitherTheResponseNorStopBeyondItsBound(Loop loop) throws Exception {
        String context = uniqueName("hang", loop);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch returned = new CountDownLatch(1);
        AtomicReference<CompletableFuture<Void>> future = new AtomicReference<>();
        HttpServlet s = Servlets.of((req, resp) -> {
            if (req.getParameter("hang") != null) {
                future.set(BackgroundTasks.of(req).run("hanging", () -> {
                    started.countDown();
                    awaitIgnoringInterrupts(release);
                    returned.countDown();
                }));
            }
            resp.getWriter().print("ok");
        });
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        System.setErr(new PrintStream(new LogTee(originalErr, log), true, StandardCharsets.UTF_8));
        TestServer server = TestServer.start(loop, b -> b.displayName(context).backgroundTasks(2, 16)
                .servlet("s", s, "/s"));
        try {
            RawHttp.Response r = FaultTest.get(server, "/s?hang");
            assertEquals(200, r.status(), r.toString());
            assertEquals("ok", r.bodyText());
            assertTrue(started.await(10, TimeUnit.SECONDS), "the task started");
            // The server goes on serving while the task hangs, and counts it as running.
            FaultTest.nextRequestsAreServed(server, "/s", "ok");
            assertEquals(1L, attribute(context, "Running"));

            Duration grace = Duration.ofSeconds(1);
            long start = System.nanoTime();
            server.bridge().stop(grace);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(took.compareTo(grace.plus(STOP_BOUND)) < 0,
                    "stop(" + grace.toMillis() + " ms) took " + took.toMillis() + " ms");
            assertEquals(1, returned.getCount(), "the task was still hanging when stop returned");
            assertTrue(future.get().isCancelled(), "its future tells the submitter it was cancelled");
            assertTrue(LogTee.captured(log).contains("Background task 'hanging' did not finish within"),
                    "stop names the task it gave up on");
            // A thread cannot be killed: until the task returns it still holds its thread, and the count says so.
            BackgroundTasks tasks = BackgroundTasks.of(server.bridge().servletContext());
            assertEquals(1, tasks.stats().running(), tasks.stats().toString());
            release.countDown();
            assertTrue(returned.await(10, TimeUnit.SECONDS), "the task's thread ends once its latch is released");
            // Once it returns it counts as cancelled, not completed: its result was given up on.
            await().atMost(Duration.ofSeconds(5)).until(() -> tasks.stats().running() == 0);
            BackgroundTasks.Stats stats = tasks.stats();
            assertEquals(1, stats.cancelled(), stats.toString());
            assertEquals(0, stats.completed(), stats.toString());
            assertEquals(0, stats.failed(), stats.toString());
        } finally {
            release.countDown();
            System.setErr(originalErr);
            server.close();
        }
    }


}
