package io.servletbridge.spi;

import java.time.Duration;

/** A running server loop, as its provider started it. */
public interface LoopServer {

    /** The port actually bound (useful when 0 was asked for). */
    int port();

    /**
     * Stops accepting, closes every connection (waiting up to {@code grace} for exchanges in progress to end) and
     * releases the loop's threads. Blocks the caller, which must not be a loop thread.
     */
    void stop(Duration grace);
}
