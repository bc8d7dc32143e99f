package io.servletbridge;

import jakarta.servlet.ServletContext;
import java.time.Duration;

/**
 * A running bridge: a server loop serving one servlet context. Obtained from {@link ServletBridge.Builder#start()}.
 * Closing it is the same as {@link #stop()}.
 */
public interface BridgeServer extends AutoCloseable {

    /** The port actually bound; useful when port 0 was asked for. */
    int port();

    /** The loop this server runs on. */
    Loop loop();

    /** The servlet context being served. */
    ServletContext servletContext();

    /** Stops with a 30 second grace period. */
    default void stop() {
        stop(Duration.ofSeconds(30));
    }

    /**
     * Stops accepting connections, lets exchanges in progress end within {@code grace}, then destroys filters and
     * servlets and tells context listeners. Idempotent; blocks until done.
     */
    void stop(Duration grace);

    @Override
    default void close() {
        stop();
    }
}
