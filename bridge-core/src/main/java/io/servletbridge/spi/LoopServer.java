package io.servletbridge.spi;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

/** A running server loop, as its provider started it. */
public interface LoopServer {

    /** The port actually bound (useful when 0 was asked for). */
    int port();

    /**
     * One of the loop's threads as a scheduler, for timers that must hold no thread while they wait. What it runs
     * must be as short as loop work: the bridge only hands due work to another executor from here.
     */
    ScheduledExecutorService scheduler();

    /**
     * Stops accepting, closes every connection (waiting up to {@code grace} for exchanges in progress to end) and
     * releases the loop's threads. Blocks the caller, which must not be a loop thread.
     */
    void stop(Duration grace);
}
