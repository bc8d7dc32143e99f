package io.servletbridge.examples.demo;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The jobs a client can ask about, by id. Bounded: past {@link #CAPACITY} jobs the oldest finished ones are
 * forgotten, so a client starting jobs in a loop cannot grow the heap without limit.
 */
final class JobRegistry {
    static final int CAPACITY = 100;

    private final Duration stepPace;
    private final Map<String, Job> jobs = new LinkedHashMap<>();

    JobRegistry(Duration stepPace) {
        this.stepPace = stepPace;
    }

    /** A new job, or empty when {@link #CAPACITY} jobs are all still running. */
    synchronized Optional<Job> create() {
        if (jobs.size() >= CAPACITY) {
            for (Iterator<Job> it = jobs.values().iterator(); it.hasNext() && jobs.size() >= CAPACITY; ) {
                if (it.next().finished()) {
                    it.remove();
                }
            }
            if (jobs.size() >= CAPACITY) {
                return Optional.empty();
            }
        }
        Job job = new Job(stepPace);
        jobs.put(job.id(), job);
        return Optional.of(job);
    }

    synchronized Optional<Job> find(String id) {
        return Optional.ofNullable(jobs.get(id));
    }
}
