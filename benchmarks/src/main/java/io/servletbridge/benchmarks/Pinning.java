package io.servletbridge.benchmarks;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/**
 * Which CPUs the server under test and the load generator may use ({@code taskset -c}). Sharing every core lets
 * the scheduler move wrk and the server's threads around, and on two cores single runs then varied by a fifth; with
 * the server on one half of the cores and wrk on the other, each row sees the same machine.
 *
 * @param server CPU list for the server JVM, or null to leave it unpinned
 * @param client CPU list for wrk, or null
 */
record Pinning(String server, String client) {
    static final Pinning NONE = new Pinning(null, null);

    /** {@code auto}: halves of the machine (two or more cores, taskset installed); {@code none}; or {@code S/C}. */
    static Pinning parse(String value) {
        if (value.equalsIgnoreCase("none")) {
            return NONE;
        }
        if (value.equalsIgnoreCase("auto")) {
            int cpus = Runtime.getRuntime().availableProcessors();
            if (cpus < 2 || !tasksetAvailable()) {
                return NONE;
            }
            int half = cpus / 2;
            return new Pinning(range(0, half - 1), range(half, cpus - 1));
        }
        int slash = value.indexOf('/');
        if (slash <= 0 || slash == value.length() - 1) {
            throw new IllegalArgumentException("pin must be auto, none or SERVER/CLIENT cpu lists (e.g. 0/1), got '"
                    + value + "'");
        }
        return new Pinning(value.substring(0, slash), value.substring(slash + 1));
    }

    private static String range(int from, int to) {
        return from == to ? Integer.toString(from) : from + "-" + to;
    }

    private static boolean tasksetAvailable() {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (new File(dir, "taskset").canExecute()) {
                return true;
            }
        }
        return false;
    }

    List<String> serverCommand(List<String> command) {
        return prefixed(server, command);
    }

    List<String> clientCommand(List<String> command) {
        return prefixed(client, command);
    }

    private static List<String> prefixed(String cpus, List<String> command) {
        if (cpus == null) {
            return command;
        }
        List<String> pinned = new ArrayList<>(command.size() + 3);
        pinned.add("taskset");
        pinned.add("-c");
        pinned.add(cpus);
        pinned.addAll(command);
        return pinned;
    }

    String describe() {
        return this == NONE || server == null
                ? "none: the server and the client share every core"
                : "server on CPU " + server + ", wrk on CPU " + client + " (taskset; a server sizes its loop/IO "
                        + "threads by the CPUs it sees)";
    }
}
