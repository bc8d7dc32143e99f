package io.servletbridge.servlet;

import java.io.IOException;

/**
 * A response write failed because the connection is gone: the client closed or reset it, or the network broke.
 * It is what the application's write throws, so a servlet may catch it like any {@link IOException}; the container
 * recognises it (anywhere in a cause chain) and logs the failure as a client abort at debug level, not as an
 * application error. Tomcat has a class of the same name for the same purpose.
 */
public final class ClientAbortException extends IOException {
    private static final long serialVersionUID = 1L;

    ClientAbortException(String message, Throwable cause) {
        super(message, cause);
    }
}
