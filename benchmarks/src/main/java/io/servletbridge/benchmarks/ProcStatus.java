package io.servletbridge.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Memory and limits as Linux reports them in /proc: what the OS charges a process, heap and all. */
public final class ProcStatus {
    private ProcStatus() {
    }

    /** Peak resident set size in KiB (VmHWM), or -1 when the process is gone. */
    public static long peakRssKib(long pid) {
        return field(pid, "VmHWM:");
    }

    /** Current resident set size in KiB (VmRSS), or -1 when the process is gone. */
    public static long rssKib(long pid) {
        return field(pid, "VmRSS:");
    }

    /** Threads of the process (Threads), or -1 when the process is gone. */
    public static long threads(long pid) {
        return field(pid, "Threads:");
    }

    private static long field(long pid, String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).replace("kB", "").trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /**
     * This JVM's soft limit on open files. HotSpot raises its own soft limit to the hard one at startup, and the
     * servers and wrk inherit it, so this is the number that bounds every process of the run.
     */
    static long openFileLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
