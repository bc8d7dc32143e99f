package io.servletbridge.tests;

import static org.awaitility.Awaitility.await;

import io.netty.buffer.PoolArenaMetric;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;

/**
 * What a fault could leak, counted in this JVM (the server under test runs here): live threads, open file
 * descriptors, and direct memory as the JDK and Netty each account it.
 *
 * <p>Use: start the server, run a warm-up burst (so that loop threads, pools and arenas exist), take a
 * {@link #settledBaseline()}, cause the fault, then {@link #awaitBackTo(Snapshot)}. The tolerances are
 * deliberately tight: zero extra threads and zero extra descriptors (one leaked socket or thread fails), 64 KiB of
 * JDK direct memory (one leaked socket-sized direct buffer fails), one Netty chunk (4 MiB) of Netty's own direct
 * memory, and 64 live pooled direct allocations: a pooled buffer returned to a loop thread's cache still counts as
 * active in Netty's arena metric, so a little slack is needed there. Single leaked Netty buffers are the paranoid leak
 * detector's job ({@link NettyLeakGuard}); this catches leaks that grow with the number of faults.
 */
final class Resources {
    static final int THREAD_TOLERANCE = 0;
    static final int FD_TOLERANCE = 0;
    static final long JDK_DIRECT_TOLERANCE = 64 * 1024;
    /**
     * Pools keep what they grew to at peak concurrency: Netty's arenas may hold one more chunk (4 MiB), and its
     * per-loop-thread caches hold up to 256 small and 64 normal buffers. These bound what a burst may leave behind
     * without anything leaking; over the 2,000 faults of the storm tests, a leak of 2 KiB per fault still exceeds
     * them (and every Netty buffer leak also trips the paranoid leak detector).
     */
    static final long NETTY_DIRECT_TOLERANCE = 4 * 1024 * 1024;
    static final long POOLED_ACTIVE_TOLERANCE = 320;
    /** How long resources may take to come back: connections close and threads end asynchronously. */
    static final Duration SETTLE = Duration.ofSeconds(15);

    private Resources() {
    }

    /**
     * One reading.
     *
     * @param threads          live threads ({@link ThreadMXBean}), except the test client's own idle pools (see {@link #clientThread})
     * @param fds              entries of {@code /proc/self/fd}, except the JDK's one on /dev/null
     * @param jdkDirect        bytes of the JDK's "direct" buffer pool
     * @param nettyDirect      Netty's counter of direct memory it allocated without a cleaner, or -1 when it does not
     *                         keep one
     * @param pooledDirectActive live direct allocations in {@code PooledByteBufAllocator.DEFAULT}'s arenas
     */
    record Snapshot(int threads, int fds, long jdkDirect, long nettyDirect, long pooledDirectActive,
                    List<String> threadNames, List<String> fdTargets) {

        /** What is above {@code baseline} beyond the tolerances, or null when nothing is. */
        String excessOver(Snapshot baseline) {
            StringBuilder s = new StringBuilder();
            if (threads > baseline.threads + THREAD_TOLERANCE) {
                List<String> added = new ArrayList<>(threadNames);
                for (String name : baseline.threadNames) {
                    added.remove(name);
                }
                s.append("threads ").append(baseline.threads).append(" -> ").append(threads).append(" (new: ")
                        .append(added).append("); ");
            }
            if (fds > baseline.fds + FD_TOLERANCE) {
                List<String> added = new ArrayList<>(fdTargets);
                for (String target : baseline.fdTargets) {
                    added.remove(target);
                }
                s.append("file descriptors ").append(baseline.fds).append(" -> ").append(fds).append(" (new: ")
                        .append(added).append("); ");
            }
            // Without Netty's own counter (no cleaner-free allocation on this JVM), its arena chunks are JDK direct
            // buffers, so the chunk tolerance applies there.
            long jdkTolerance = JDK_DIRECT_TOLERANCE + (nettyDirect < 0 ? NETTY_DIRECT_TOLERANCE : 0);
            if (jdkDirect > baseline.jdkDirect + jdkTolerance) {
                s.append("JDK direct bytes ").append(baseline.jdkDirect).append(" -> ").append(jdkDirect).append("; ");
            }
            if (nettyDirect >= 0 && nettyDirect > baseline.nettyDirect + NETTY_DIRECT_TOLERANCE) {
                s.append("Netty direct bytes ").append(baseline.nettyDirect).append(" -> ").append(nettyDirect)
                        .append("; ");
            }
            if (pooledDirectActive > baseline.pooledDirectActive + POOLED_ACTIVE_TOLERANCE) {
                s.append("pooled direct allocations ").append(baseline.pooledDirectActive).append(" -> ")
                        .append(pooledDirectActive).append("; ");
            }
            return s.length() == 0 ? null : s.toString();
        }
    }

    /**
     * A baseline: waits (bounded) until thread and descriptor counts hold still over consecutive readings, because a
     * connection the warm-up closed is released by the server a moment later, and a baseline that still counts it
     * would hide one leaked socket.
     */
    static Snapshot settledBaseline() {
        AtomicReference<Snapshot> previous = new AtomicReference<>(snapshot());
        AtomicInteger steady = new AtomicInteger();
        await().atMost(SETTLE).pollInSameThread().pollInterval(Duration.ofMillis(100)).until(() -> {
            Snapshot now = snapshot();
            Snapshot before = previous.getAndSet(now);
            boolean same = now.threads == before.threads && now.fds == before.fds;
            return same ? steady.incrementAndGet() >= 3 : steady.getAndSet(0) < 0;
        });
        return previous.get();
    }

    static Snapshot snapshot() {
        List<String> names = threadNames();
        List<String> fds = fdTargets();
        return new Snapshot(names.size(), fds.size(), jdkDirect(), PlatformDependent.usedDirectMemory(),
                pooledDirectActive(), names, fds);
    }

    /**
     * Waits (at most {@link #SETTLE}) until every reading is back within its tolerance of {@code baseline}; fails
     * with what stayed above it otherwise.
     */
    static void awaitBackTo(Snapshot baseline) {
        AtomicReference<String> last = new AtomicReference<>();
        try {
            // Polled on this thread: Awaitility's own poller thread would count as a new thread.
            await().atMost(SETTLE).pollInSameThread().pollInterval(Duration.ofMillis(100)).until(() -> {
                if (last.get() != null) {
                    // A direct buffer nobody references is only returned when a GC lets its cleaner run, and after
                    // a storm little else allocates to cause one. A leak (a buffer still referenced) survives this.
                    System.gc();
                }
                String excess = snapshot().excessOver(baseline);
                last.set(excess);
                return excess == null;
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("resources did not return to the baseline within " + SETTLE + ": "
                    + last.get() + " (baseline " + baseline + ")", e);
        }
    }

    /**
     * The JDK HTTP client's worker pool and the common fork-join pool belong to the test's client side and keep idle
     * threads for up to a minute by design, so they would make the count depend on how busy the client was.
     */
    private static boolean clientThread(String name) {
        return name.startsWith("HttpClient-") || name.startsWith("ForkJoinPool.commonPool-");
    }

    private static List<String> threadNames() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        List<String> names = new ArrayList<>();
        // Depth 0: names only, no stacks. A thread that ended between the two calls comes back null.
        for (ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds(), 0)) {
            if (t != null && !clientThread(t.getThreadName())) {
                names.add(t.getThreadName());
            }
        }
        return names;
    }

    /** What each open descriptor points at ({@code socket:[inode]}, a path...), for a readable failure. */
    private static List<String> fdTargets() {
        List<String> targets = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : dir) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    // The JDK opens one descriptor on /dev/null, once, lazily, to close sockets that another thread
                    // may still be using (dup2 onto it, then close): JVM state that appears at some point during
                    // the first faults and never grows. A leaked socket or file is never /dev/null.
                    if (!target.equals("/dev/null")) {
                        targets.add(target);
                    }
                } catch (IOException closedMeanwhile) {
                    // Closed since the listing (the listing's own descriptor is among these); it still counts
                    // as one, in every reading alike.
                    targets.add("?");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return targets;
    }

    private static long jdkDirect() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return pool.getMemoryUsed();
            }
        }
        return 0;
    }

    private static long pooledDirectActive() {
        long n = 0;
        for (PoolArenaMetric arena : PooledByteBufAllocator.DEFAULT.metric().directArenas()) {
            n += arena.numActiveAllocations();
        }
        return n;
    }
}
