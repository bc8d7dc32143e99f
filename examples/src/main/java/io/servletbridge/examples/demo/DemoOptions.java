package io.servletbridge.examples.demo;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the demo app.
 *
 * @param host            the interface to bind
 * @param apiUrl          the external API that {@code /api/external} calls; {@code null} means the demo's own
 *                        stand-in at {@code /stand-in/api}
 * @param standInDelay    how long the stand-in API takes to answer
 * @param queryLatency    added to every report query, standing in for a database across a network, so the report
 *                        shows its queries overlapping
 * @param jobStep         how long each of a job's 20 steps takes at least, so a person can watch the progress bar
 * @param externalTimeout how long {@code /api/external} waits before answering 504
 */
public record DemoOptions(String host, URI apiUrl, Duration standInDelay, Duration queryLatency, Duration jobStep,
                          Duration externalTimeout) {

    public DemoOptions {
        Objects.requireNonNull(host, "host");
        requireNotNegative(standInDelay, "standInDelay");
        requireNotNegative(queryLatency, "queryLatency");
        requireNotNegative(jobStep, "jobStep");
        requireNotNegative(externalTimeout, "externalTimeout");
        if (externalTimeout.isZero()) {
            throw new IllegalArgumentException("externalTimeout must be positive (0 would mean no timeout)");
        }
    }

    /** 127.0.0.1, the stand-in API answering after 300 ms, 200 ms per query, 100 ms per job step, 10 s timeout. */
    public static DemoOptions defaults() {
        return new DemoOptions("127.0.0.1", null, Duration.ofMillis(300), Duration.ofMillis(200),
                Duration.ofMillis(100), Duration.ofSeconds(10));
    }

    public DemoOptions withHost(String value) {
        return new DemoOptions(value, apiUrl, standInDelay, queryLatency, jobStep, externalTimeout);
    }

    public DemoOptions withApiUrl(URI value) {
        return new DemoOptions(host, value, standInDelay, queryLatency, jobStep, externalTimeout);
    }

    public DemoOptions withStandInDelay(Duration value) {
        return new DemoOptions(host, apiUrl, value, queryLatency, jobStep, externalTimeout);
    }

    public DemoOptions withQueryLatency(Duration value) {
        return new DemoOptions(host, apiUrl, standInDelay, value, jobStep, externalTimeout);
    }

    public DemoOptions withJobStep(Duration value) {
        return new DemoOptions(host, apiUrl, standInDelay, queryLatency, value, externalTimeout);
    }

    public DemoOptions withExternalTimeout(Duration value) {
        return new DemoOptions(host, apiUrl, standInDelay, queryLatency, jobStep, value);
    }

    private static void requireNotNegative(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative: " + d);
        }
    }
}
