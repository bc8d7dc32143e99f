package io.servletbridge.spi;

import java.time.Duration;

/**
 * Settings a loop needs to listen and to bound what one connection may cost.
 *
 * @param host               interface to bind, e.g. {@code 127.0.0.1} or {@code 0.0.0.0}
 * @param port               TCP port; 0 picks a free one
 * @param ioThreads          loop threads; 0 means the loop's default (one per core)
 * @param maxRequestLine     longest request line accepted (bytes); longer gets 414
 * @param maxHeaderBytes     largest header block accepted (bytes); larger gets 431
 * @param maxHeaderCount     most header fields accepted; more gets 431
 * @param unreadBodyDrain    request body bytes the loop will read and discard after the response when the
 *                           application did not read them, to keep the connection; past it the connection is closed
 * @param idleTimeout        how long a connection may sit with no request in progress before it is closed (silently)
 * @param headerTimeout      how long a request head (request line and header fields) may take to arrive once its
 *                           first byte has; past it the loop answers {@code 408} and closes the connection
 * @param bodyReadTimeout    how long a reader of the request body may wait without receiving a byte; past it the
 *                           read fails with {@link java.net.SocketTimeoutException} (enforced by the bridge, which
 *                           owns the body stream; loops only carry the setting)
 * @param maxConnections     open connections above which the loop stops accepting; further clients wait in the
 *                           TCP backlog until a connection closes
 */
public record LoopConfig(String host, int port, int ioThreads, int maxRequestLine, int maxHeaderBytes,
                         int maxHeaderCount, long unreadBodyDrain, Duration idleTimeout, Duration headerTimeout,
                         Duration bodyReadTimeout, int maxConnections) {

    /** Default for {@link #headerTimeout}: Tomcat's {@code connectionTimeout}. */
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(20);
    /** Default for {@link #bodyReadTimeout}: Jetty's {@code idleTimeout}, which is what bounds its blocking reads. */
    public static final Duration DEFAULT_BODY_READ_TIMEOUT = Duration.ofSeconds(30);
    /** Default for {@link #maxConnections}: room for 10,000 idle keep-alive clients with headroom. */
    public static final int DEFAULT_MAX_CONNECTIONS = 16_384;

    /**
     * Lingering close: when a connection must close while the client may still be sending a request body the
     * server did not read, the loop shuts down its output (the client sees the whole response, then end of stream),
     * then reads and discards input until the client closes, for at most this long and {@link #LINGER_BYTES}.
     * Closing at once with unread bytes would make the kernel send a reset, and a client still sending can then lose
     * the response it had not read yet (a 503 or a 413, typically). Tomcat and Jetty close the same way.
     */
    public static final Duration LINGER_TIME = Duration.ofSeconds(2);
    /** Most request bytes a lingering close reads and discards before it closes anyway (see {@link #LINGER_TIME}). */
    public static final long LINGER_BYTES = 1024 * 1024;

    /**
     * Defaults: loopback, a free port, 8 KiB request line, 16 KiB of headers, 100 fields, 64 KiB drain, 60 s idle,
     * 20 s for a request head, 30 s for a stalled body read, 16,384 connections.
     */
    public static LoopConfig defaults() {
        return new LoopConfig("127.0.0.1", 0, 0, 8192, 16384, 100, 64 * 1024, Duration.ofSeconds(60),
                DEFAULT_HEADER_TIMEOUT, DEFAULT_BODY_READ_TIMEOUT, DEFAULT_MAX_CONNECTIONS);
    }

    /** A copy bound to another interface. */
    public LoopConfig withHost(String h) {
        return new LoopConfig(h, port, ioThreads, maxRequestLine, maxHeaderBytes, maxHeaderCount, unreadBodyDrain,
                idleTimeout, headerTimeout, bodyReadTimeout, maxConnections);
    }

    /** A copy bound to another port. */
    public LoopConfig withPort(int p) {
        return new LoopConfig(host, p, ioThreads, maxRequestLine, maxHeaderBytes, maxHeaderCount, unreadBodyDrain,
                idleTimeout, headerTimeout, bodyReadTimeout, maxConnections);
    }

    /** A copy with another number of loop threads. */
    public LoopConfig withIoThreads(int n) {
        return new LoopConfig(host, port, n, maxRequestLine, maxHeaderBytes, maxHeaderCount, unreadBodyDrain,
                idleTimeout, headerTimeout, bodyReadTimeout, maxConnections);
    }

    /** A copy with another idle timeout. */
    public LoopConfig withIdleTimeout(Duration d) {
        return new LoopConfig(host, port, ioThreads, maxRequestLine, maxHeaderBytes, maxHeaderCount, unreadBodyDrain,
                d, headerTimeout, bodyReadTimeout, maxConnections);
    }

    /** A copy with another request head timeout. */
    public LoopConfig withHeaderTimeout(Duration d) {
        return new LoopConfig(host, port, ioThreads, maxRequestLine, maxHeaderBytes, maxHeaderCount, unreadBodyDrain,
                idleTimeout, d, bodyReadTimeout, maxConnections);
    }

    /** A copy with another body read timeout. */
    public LoopConfig withBodyReadTimeout(Duration d) {
        return new LoopConfig(host, port, ioThreads, maxRequestLine, maxHeaderBytes, maxHeaderCount, unreadBodyDrain,
                idleTimeout, headerTimeout, d, maxConnections);
    }

    /** A copy with another connection limit. */
    public LoopConfig withMaxConnections(int n) {
        return new LoopConfig(host, port, ioThreads, maxRequestLine, maxHeaderBytes, maxHeaderCount, unreadBodyDrain,
                idleTimeout, headerTimeout, bodyReadTimeout, n);
    }

    /** Whether {@code d} is a timeout that is switched on (null, zero or negative means none). */
    public static boolean enabled(Duration d) {
        return d != null && !d.isZero() && !d.isNegative();
    }
}
