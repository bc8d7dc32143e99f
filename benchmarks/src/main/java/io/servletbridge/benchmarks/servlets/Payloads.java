package io.servletbridge.benchmarks.servlets;

import java.nio.charset.StandardCharsets;

/** The response bytes every server sends, so that raw loops and servlet containers move exactly the same data. */
public final class Payloads {
    public static final byte[] HELLO = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
    public static final byte[] JSON = "{\"message\":\"Hello, World!\"}".getBytes(StandardCharsets.US_ASCII);
    public static final int ONE_MIB = 1 << 20;
    /** Streamed responses go out in pieces of this size, as an application copying from a file would. */
    public static final int CHUNK = 16 * 1024;
    public static final byte[] DOWNLOAD = filled(ONE_MIB);
    /** How long the blocking workload holds its thread (or, on raw loops, its timer). */
    public static final long SLEEP_MILLIS = 20;

    private Payloads() {
    }

    private static byte[] filled(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) ('a' + i % 26);
        }
        return b;
    }
}
