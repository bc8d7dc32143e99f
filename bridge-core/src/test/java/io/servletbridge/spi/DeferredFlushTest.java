package io.servletbridge.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeferredFlushTest {
    /** A loop's task queue, run by hand. */
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private final List<String> log = new ArrayList<>();
    private final DeferredFlush flush = new DeferredFlush(tasks::add, () -> log.add("flush"));

    private void runTasks() {
        for (Runnable task; (task = tasks.poll()) != null; ) {
            task.run();
        }
    }

    @Test
    void writesQueuedBeforeTheFlushAllGoOutInIt() {
        tasks.add(() -> {
            log.add("write 1");
            flush.request();
        });
        tasks.add(() -> {
            log.add("write 2");
            flush.request();
        });
        tasks.add(() -> {
            log.add("write 3");
            flush.request();
        });
        runTasks();
        assertEquals(List.of("write 1", "write 2", "write 3", "flush"), log);
    }

    @Test
    void nowFlushesAtOnceAndTheQueuedTaskThenDoesNothing() {
        flush.request();
        flush.now();
        assertEquals(List.of("flush"), log);
        runTasks();
        assertEquals(List.of("flush"), log);
        flush.now();
        assertEquals(List.of("flush"), log, "nothing was requested since");
    }

    @Test
    void aCancelledFlushDoesNotRunAndALaterRequestQueuesAgain() {
        flush.request();
        flush.cancel();
        runTasks();
        assertEquals(List.of(), log);
        flush.request();
        runTasks();
        assertEquals(List.of("flush"), log);
    }
}
