package io.servletbridge.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * The untimed load before each measured run. A fixed warm-up treats servers unequally: on one pinned core the JIT
 * competes with the server for the CPU, so a server with more code to compile (a servlet layer) reaches its steady
 * rate seconds later than a raw loop, and a short fixed warm-up measures that lag instead of the server. The
 * adaptive warm-up runs wrk in short slices until two slices in a row agree, so every row is measured at its own
 * steady rate, and the row's note says how long that took.
 *
 * @param fixed the warm-up when not adaptive (zero: none), or null for the adaptive one
 */
record WarmUp(Duration fixed) {

    static final WarmUp AUTO = new WarmUp(null);
    /** Adaptive: the length of one wrk run. */
    private static final Duration SLICE = Duration.ofSeconds(2);
    /** Adaptive: the largest relative difference between the last two runs that counts as settled. */
    private static final double TOLERANCE = 0.10;
    /** Adaptive: warm-up never runs longer than this. */
    private static final Duration LIMIT = Duration.ofSeconds(20);

    static WarmUp parse(String text) {
        return text.equalsIgnoreCase("auto") ? AUTO : new WarmUp(Options.duration(text));
    }

    boolean adaptive() {
        return fixed == null;
    }

    /** Whether two consecutive slice rates are close enough to call the server warm. */
    private static boolean settled(double previous, double latest) {
        double high = Math.max(previous, latest);
        return high > 0 && Math.abs(previous - latest) / high <= TOLERANCE;
    }

    /** What the header says about warm-up. */
    String describe() {
        if (!adaptive()) {
            return "warm-up " + fixed.toSeconds() + " s";
        }
        return String.format(Locale.ROOT, "warm-up until two %d s runs in a row agree within %.0f %% (at most %d s)",
                SLICE.toSeconds(), TOLERANCE * 100, LIMIT.toSeconds());
    }

    /** Warms one server up; returns what the row's note should say, or null when there is nothing to say. */
    String run(String url, int threads, int connections, Path script, Pinning pin)
            throws IOException, InterruptedException {
        if (!adaptive()) {
            if (!fixed.isZero()) {
                Wrk.run(url, threads, connections, fixed, script, pin);
            }
            return null;
        }
        long spent = 0;
        double previous = -1;
        while (spent + SLICE.toSeconds() <= LIMIT.toSeconds()) {
            double rate = Wrk.run(url, threads, connections, SLICE, script, pin).requestsPerSecond();
            spent += SLICE.toSeconds();
            if (previous >= 0 && settled(previous, rate)) {
                return "warm-up " + spent + " s";
            }
            previous = rate;
        }
        return "warm-up " + spent + " s, still changing";
    }
}
