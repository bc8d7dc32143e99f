package io.servletbridge.background;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRequest;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Work that outlives the response: the Java twin of a task spawned on asgiref's ever-running loop.
 *
 * <p>Tasks run on the bridge's long-lived task executor, apart from the request workers, and keep running after
 * the response was sent and after the client went away. Each task has a name; a failing task is logged with its
 * name and affects nothing else. At shutdown the bridge stops taking tasks, lets queued and running ones finish
 * until the grace deadline, then interrupts what is left and logs each by name.
 *
 * <p>Request and response objects belong to their exchange: once it ended, every method on them throws
 * {@link IllegalStateException}. Copy what a task needs before submitting it:
 *
 * <pre>{@code
 * String user = req.getParameter("user");          // copied now, on the request's thread
 * BackgroundTasks.of(req).run("welcome-mail", () -> mailer.sendWelcome(user));
 * resp.setStatus(202);
 * }</pre>
 *
 * <p>Submitting never blocks: when the executor's queue is full, or the bridge is stopping, the returned future
 * fails at once with {@link java.util.concurrent.RejectedExecutionException}.
 */
public interface BackgroundTasks {

    /** The servlet context attribute under which the bridge publishes its instance. */
    String ATTRIBUTE = BackgroundTasks.class.getName();

    /** The bridge's tasks for this servlet context. */
    static BackgroundTasks of(ServletContext context) {
        Object tasks = context.getAttribute(ATTRIBUTE);
        if (!(tasks instanceof BackgroundTasks)) {
            throw new IllegalStateException("This servlet context is not served by servlet-bridge");
        }
        return (BackgroundTasks) tasks;
    }

    /** The bridge's tasks for the request's servlet context. */
    static BackgroundTasks of(ServletRequest request) {
        return of(request.getServletContext());
    }

    /** Runs {@code task} in the background; the future completes when it has run. */
    CompletableFuture<Void> run(String name, Runnable task);

    /** Runs {@code task} in the background; the future carries its result or its failure. */
    <T> CompletableFuture<T> submit(String name, Callable<T> task);

    /**
     * Starts asynchronous work in the background: {@code task} runs on the task executor and returns a stage; the
     * task counts as running until that stage completes (so shutdown waits for it too).
     */
    <T> CompletableFuture<T> submitAsync(String name, Supplier<? extends CompletionStage<T>> task);

    /**
     * Runs {@code task} once {@code delay} has passed. Waiting holds no thread: the timer is the server loop's own
     * scheduler (before the loop runs, a single daemon timer thread), which only hands the task to the executor
     * when it is due. Cancelling the future before then unschedules it.
     */
    <T> CompletableFuture<T> schedule(String name, Duration delay, Callable<T> task);

    /** A snapshot of the counts, also published over JMX as {@code io.servletbridge:type=BackgroundTasks}. */
    Stats stats();

    /**
     * Counts of tasks.
     *
     * @param scheduled tasks waiting for their delay to pass
     * @param queued    tasks due, waiting for an executor thread
     * @param running   tasks running (including async ones whose stage has not completed)
     * @param completed tasks that ended normally
     * @param failed    tasks that threw or whose stage failed
     * @param cancelled tasks cancelled by their caller or interrupted at shutdown
     */
    record Stats(long scheduled, long queued, long running, long completed, long failed, long cancelled) {
    }
}
