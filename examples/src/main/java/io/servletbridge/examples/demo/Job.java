package io.servletbridge.examples.demo;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A long-running job started by {@code POST /api/jobs}: counts the primes below two million in 20 steps, updating
 * its progress as it goes. It runs as a background task, long after the request that started it was answered.
 */
final class Job {
    static final int LIMIT = 2_000_000;
    static final int STEPS = 20;

    /** Where a job is; the lower-case name is what the JSON says. */
    enum Status { RUNNING, DONE, FAILED, CANCELLED }

    private final String id = UUID.randomUUID().toString();
    private final Duration stepPace;
    // Written by the job's task thread, read by any request thread asking for the job.
    private volatile Status status = Status.RUNNING;
    private volatile int progress;
    private volatile Map<String, Object> result;
    private volatile String error;

    Job(Duration stepPace) {
        this.stepPace = stepPace;
    }

    String id() {
        return id;
    }

    Status status() {
        return status;
    }

    boolean finished() {
        return status != Status.RUNNING;
    }

    /** The job's work; runs on a background task thread. */
    void run() {
        try {
            PrimeCount primes = new PrimeCount(LIMIT, STEPS);
            while (!primes.done()) {
                long stepStart = System.nanoTime();
                progress = primes.step();
                // Sieving a slice takes about a millisecond; pacing each step lets a person watch the bar fill.
                long left = stepPace.toNanos() - (System.nanoTime() - stepStart);
                if (left > 0) {
                    Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
                }
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("primes_below", primes.limit());
            r.put("count", primes.count());
            r.put("largest", primes.largest());
            result = r;
            status = Status.DONE;
        } catch (InterruptedException e) {
            // Interrupted by a stop whose grace period ran out.
            status = Status.CANCELLED;
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            fail(e.toString());
            throw e;
        }
    }

    /** Marks the job failed, e.g. when it could not even be started. */
    void fail(String reason) {
        error = reason;
        status = Status.FAILED;
    }

    Map<String, Object> toJson() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("status", status.name().toLowerCase(java.util.Locale.ROOT));
        body.put("progress", progress);
        body.put("result", result);
        if (error != null) {
            body.put("error", error);
        }
        return body;
    }
}
