package io.servletbridge.http;

/**
 * The client sent something the bridge cannot accept (malformed encoding, an oversized form, ...). Thrown out of a
 * servlet before the response is committed, it becomes the given 4xx status instead of a 500.
 */
public class BadMessageException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public BadMessageException(int status, String reason) {
        super(reason);
        this.status = status;
    }

    public BadMessageException(String reason) {
        this(400, reason);
    }

    /** The status to answer with. */
    public int status() {
        return status;
    }
}
