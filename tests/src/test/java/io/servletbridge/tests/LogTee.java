package io.servletbridge.tests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Copies what is written to a stream (stderr, where slf4j-simple logs) into a buffer a test can search, while the
 * original stream still gets it, so the build log keeps showing it.
 */
final class LogTee extends OutputStream {
    private final OutputStream original;
    private final ByteArrayOutputStream copy;

    LogTee(OutputStream original, ByteArrayOutputStream copy) {
        this.original = original;
        this.copy = copy;
    }

    /** What was copied so far. */
    static String captured(ByteArrayOutputStream log) {
        synchronized (log) {
            return log.toString(StandardCharsets.UTF_8);
        }
    }

    @Override
    public void write(int b) throws IOException {
        original.write(b);
        synchronized (copy) {
            copy.write(b);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        original.write(b, off, len);
        synchronized (copy) {
            copy.write(b, off, len);
        }
    }

    @Override
    public void flush() throws IOException {
        original.flush();
    }
}
