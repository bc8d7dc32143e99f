package io.servletbridge.benchmarks;

/**
 * The open-file limit decides whether the large-connection workloads can run at all. A JVM cannot raise its own
 * limit past the hard one, so the driver can only explain how to.
 */
final class FileLimit {
    /** Descriptors beyond the connections: JVM jars, epoll, pipes, the listening socket. */
    private static final int HEADROOM = 256;

    private FileLimit() {
    }

    static long needed(int connections) {
        return (long) connections + HEADROOM;
    }

    static String skipReason(Workload w, int connections, long limit) {
        if (limit < 0 || limit >= needed(connections)) {
            return null;
        }
        return "skipped: open-file limit " + limit + " < " + needed(connections) + "; see the header";
    }

    static String advice(int connections, long limit) {
        long want = Math.max(65_536, needed(connections));
        return "open-file limit is " + limit + " but " + needed(connections) + " are needed for " + connections
                + " connections. Start the benchmark from a shell with a higher limit: `ulimit -n " + want
                + "` (if that fails, raise the hard limit as root: `ulimit -Hn " + want + "`, or nofile in "
                + "/etc/security/limits.conf), or pass a smaller idle=N / sleepConnections=N.";
    }
}
