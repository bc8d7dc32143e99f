package io.servletbridge.benchmarks;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Every process the driver starts, so each is stopped by its PID: after its row, and from a shutdown hook when the
 * driver fails or is interrupted (Ctrl-C), leaving no server holding a port or wrk hammering nothing.
 */
public final class Children {
    private static final Set<Process> LIVE = new LinkedHashSet<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Children::stopAll, "stop-children"));
    }

    private Children() {
    }

    /** Registers a started process so that it is stopped when this JVM exits. */
    public static synchronized Process track(Process p) {
        LIVE.add(p);
        return p;
    }

    /** SIGTERM first so a JVM can exit cleanly, SIGKILL if it has not within five seconds. */
    public static void stop(Process p) {
        synchronized (Children.class) {
            LIVE.remove(p);
        }
        if (!p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                System.err.println("pid " + p.pid() + " ignored SIGTERM; killing it");
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Stops every tracked process. */
    public static void stopAll() {
        List<Process> left;
        synchronized (Children.class) {
            left = List.copyOf(LIVE);
        }
        for (Process p : left) {
            System.err.println("stopping pid " + p.pid());
            stop(p);
        }
    }
}
