package io.servletbridge.tests;

import io.servletbridge.BridgeServer;
import io.servletbridge.Loop;
import io.servletbridge.ServletBridge;
import io.servletbridge.background.BackgroundTasks;
import java.time.Duration;

/**
 * A program for {@link SigtermTest}: a bridge that stops on SIGTERM, with a slow request and a slow background
 * task to be finished first. It reports progress as lines on standard output.
 */
public final class SigtermServer {
    private SigtermServer() {
    }

    public static void main(String[] args) throws InterruptedException {
        BridgeServer server = ServletBridge.builder()
                .loop(Loop.of(args[0]))
                .stopOnShutdown(Duration.ofSeconds(15))
                .servlet("slow", Servlets.of((req, resp) -> {
                    BackgroundTasks.of(req).run("after-response", () -> {
                        say("TASK STARTED");
                        work(1500);
                        say("TASK DONE");
                    });
                    say("ENTERED");
                    work(1500);
                    resp.getWriter().print("done");
                }), "/slow")
                .start();
        say("PORT " + server.port());
        Thread.currentThread().join();
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /** The simulated slow work itself (not synchronisation): busy for about {@code millis}. */
    private static void work(long millis) {
        long end = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }
}
