package io.servletbridge.benchmarks;

/**
 * One line of the result table. Values a row does not have are NaN or negative; {@code kibPerConnection} is set only
 * by the idle workload, {@code requestsPerSecond} only by wrk workloads.
 */
record Row(ServerKind server, Workload workload, double requestsPerSecond, long p50Micros, long p99Micros,
        long errors, long peakRssKib, double kibPerConnection, String note) {

    static Row measured(ServerKind server, Workload workload, WrkResult r, long peakRssKib, String note) {
        return new Row(server, workload, r.requestsPerSecond(), r.p50Micros(), r.p99Micros(), r.errors(), peakRssKib,
                Double.NaN, note);
    }

    static Row idle(ServerKind server, long peakRssKib, double kibPerConnection, String note) {
        return new Row(server, Workload.IDLE, Double.NaN, -1, -1, -1, peakRssKib, kibPerConnection, note);
    }

    static Row failed(ServerKind server, Workload workload, String note) {
        return new Row(server, workload, Double.NaN, -1, -1, -1, -1, Double.NaN, note);
    }

    boolean hasThroughput() {
        return !Double.isNaN(requestsPerSecond);
    }

    boolean hasMemoryPerConnection() {
        return !Double.isNaN(kibPerConnection);
    }

    Row withNote(String text) {
        return new Row(server, workload, requestsPerSecond, p50Micros, p99Micros, errors, peakRssKib, kibPerConnection,
                text);
    }
}
