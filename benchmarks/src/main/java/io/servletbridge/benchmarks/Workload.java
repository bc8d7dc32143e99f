package io.servletbridge.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** What the client does to a server; every workload but IDLE is one wrk run against one path. */
enum Workload {
    PLAINTEXT("plaintext", "/plaintext"),
    JSON("json", "/json"),
    SLEEP("sleep20ms", "/sleep"),
    DOWNLOAD("download1m", "/download"),
    UPLOAD("upload1m", "/upload"),
    UPLOAD_SMALL("upload16k", "/upload"),
    /** The same 1 MiB as DOWNLOAD, from a file through each server's own static file servlet (or raw handler). */
    STATIC("static1m", io.servletbridge.benchmarks.servlets.StaticSite.PATH),
    IDLE("idle", "/plaintext");

    final String id;
    final String path;

    Workload(String id, String path) {
        this.id = id;
        this.path = path;
    }

    /** Bytes each request uploads (echoed back by the servlet), 0 for a GET. */
    int uploadBytes() {
        return switch (this) {
            case UPLOAD -> 1 << 20;
            case UPLOAD_SMALL -> 16 << 10;
            default -> 0;
        };
    }

    boolean usesWrk() {
        return this != IDLE;
    }

    static List<Workload> parse(String csv) {
        List<Workload> out = new ArrayList<>();
        for (String id : csv.split(",")) {
            out.add(of(id.trim()));
        }
        return List.copyOf(out);
    }

    /** Accepts the short names too (sleep, download, upload), as people type them. */
    static Workload of(String id) {
        String wanted = id.toLowerCase(Locale.ROOT);
        for (Workload w : values()) {
            if (w.id.equals(wanted) || w.name().toLowerCase(Locale.ROOT).equals(wanted)) {
                return w;
            }
        }
        throw new IllegalArgumentException("unknown workload '" + id + "'; known: " + ids());
    }

    static String ids() {
        return Stream.of(values()).map(w -> w.id).collect(Collectors.joining(","));
    }
}
