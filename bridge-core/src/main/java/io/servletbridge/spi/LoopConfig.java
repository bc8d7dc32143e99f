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
 * @param idleTimeout        how long a connection may sit with no request in progress before it is closed
 */
public record LoopConfig(String host, int port, int ioThreads, int maxRequestLine, int maxHeaderBytes,
                         int maxHeaderCount, long unreadBodyDrain, Duration idleTimeout) {

    /** Defaults: loopback, a free port, 8 KiB request line, 16 KiB of headers, 100 fields, 64 KiB drain, 60 s idle. */
    public static LoopConfig defaults() {
        return new LoopConfig("127.0.0.1", 0, 0, 8192, 16384, 100, 64 * 1024, Duration.ofSeconds(60));
    }

    public LoopConfig withHost(String h) {
        return new LoopConfig(h, port, ioThreads, maxRequestLine, maxHeaderBytes, maxHeaderCount, unreadBodyDrain, idleTimeout);
    }

    public LoopConfig withPort(int p) {
        return new LoopConfig(host, p, ioThreads, maxRequestLine, maxHeaderBytes, maxHeaderCount, unreadBodyDrain, idleTimeout);
    }

    public LoopConfig withIoThreads(int n) {
        return new LoopConfig(host, port, n, maxRequestLine, maxHeaderBytes, maxHeaderCount, unreadBodyDrain, idleTimeout);
    }

    public LoopConfig withIdleTimeout(Duration d) {
        return new LoopConfig(host, port, ioThreads, maxRequestLine, maxHeaderBytes, maxHeaderCount, unreadBodyDrain, d);
    }
}
