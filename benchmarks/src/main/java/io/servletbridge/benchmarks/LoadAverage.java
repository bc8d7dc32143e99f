package io.servletbridge.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The 1/5/15-minute load averages: on a shared 2-core machine they say how much to trust a run. */
final class LoadAverage {
    private LoadAverage() {
    }

    static double oneMinute() {
        try {
            return Double.parseDouble(read().split(" ")[0]);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static String read() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | ArrayIndexOutOfBoundsException e) {
            return "unknown";
        }
    }
}
