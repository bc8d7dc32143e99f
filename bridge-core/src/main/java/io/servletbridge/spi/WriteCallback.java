package io.servletbridge.spi;

/**
 * Told once, on the loop thread, how a {@link Exchange#write write} ended. Implementations must not block.
 */
@FunctionalInterface
public interface WriteCallback {
    /** No-op callback for writes nobody waits on. */
    WriteCallback NONE = failure -> { };

    /**
     * @param failure null when the bytes were handed to the socket; otherwise why they never will be
     */
    void done(Throwable failure);
}
