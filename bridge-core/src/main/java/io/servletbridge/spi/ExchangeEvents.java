package io.servletbridge.spi;

/**
 * What the loop tells the bridge about one exchange. Every method runs on the exchange's loop thread and must
 * return quickly without blocking.
 */
public interface ExchangeEvents {

    /**
     * Answers one {@link Exchange#demand()}: the next piece of request body, never empty. The bridge owns the chunk
     * from now on and must {@link BodyChunk#release() release} it exactly once, even if the exchange fails first.
     *
     * @return true to demand the next piece at once, as if {@link Exchange#demand()} had been called after this
     *         returned, but without a task of its own: the loop goes on delivering what it already holds (and the
     *         body's end right behind its last piece) in the same turn, so a reader woken by the first piece
     *         usually finds the rest waiting instead of waking once per piece
     */
    boolean onBodyData(BodyChunk chunk);

    /** Answers one {@link Exchange#demand()}: the request body is complete. */
    void onBodyEnd();

    /**
     * The exchange cannot go on: the client went away, the connection failed, the body was malformed, or the
     * exchange was aborted. Called at most once, and only if the exchange had not completed. An outstanding demand
     * is answered by this call; every later write fails.
     */
    void onClosed(Throwable cause);
}
