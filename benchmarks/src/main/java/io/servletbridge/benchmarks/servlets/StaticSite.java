package io.servletbridge.benchmarks.servlets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The directory every server serves its static files from: {@code static/file-1m.bin} holds the download's bytes, so
 * the static workload moves the very bytes of the streamed one, from a file in the page cache instead of the heap.
 */
public final class StaticSite {
    /** The request path, the same on every server; relative to the directory without its leading slash. */
    public static final String PATH = "/static/file-1m.bin";
    private static Path directory;

    private StaticSite() {
    }

    /** Made once per server JVM, in a fresh temporary directory removed at exit. */
    public static synchronized Path directory() {
        if (directory == null) {
            try {
                Path dir = Files.createTempDirectory("bench-static");
                Path file = dir.resolve(PATH.substring(1));
                Files.createDirectories(file.getParent());
                Files.write(file, Payloads.DOWNLOAD);
                file.toFile().deleteOnExit();
                file.getParent().toFile().deleteOnExit();
                dir.toFile().deleteOnExit();
                directory = dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return directory;
    }
}
