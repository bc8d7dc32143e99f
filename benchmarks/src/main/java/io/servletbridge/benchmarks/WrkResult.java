package io.servletbridge.benchmarks;

/** What one measured wrk run reports; errors are socket errors plus responses with status 400 and above. */
record WrkResult(long requests, double seconds, long p50Micros, long p99Micros, long errors) {

    double requestsPerSecond() {
        return seconds > 0 ? requests / seconds : 0;
    }

    static WrkResult parse(String line) {
        java.util.Map<String, Long> v = new java.util.HashMap<>();
        for (String pair : line.substring(WrkScripts.RESULT_PREFIX.length()).trim().split("\\s+")) {
            int eq = pair.indexOf('=');
            v.put(pair.substring(0, eq), Long.parseLong(pair.substring(eq + 1)));
        }
        long errors = v.get("connect") + v.get("read") + v.get("write") + v.get("status") + v.get("timeout");
        return new WrkResult(v.get("requests"), v.get("duration_us") / 1e6, v.get("p50_us"), v.get("p99_us"),
                errors);
    }
}
