package io.servletbridge.spi;

/**
 * The status line and header fields the bridge wants sent, without framing. The loop chooses the framing from
 * {@link #contentLength()}: a {@code Content-Length} when it is known, otherwise chunked for HTTP/1.1 and a closed
 * connection for HTTP/1.0. The headers never carry {@code Content-Length} or {@code Transfer-Encoding}.
 *
 * @param status        the status code (100..999, never 1xx here)
 * @param reason        the reason phrase, or null for the standard one
 * @param headers       the header fields to send, in order
 * @param contentLength the body length; -1 when unknown
 */
public record ResponseHead(int status, String reason, HttpFields headers, long contentLength) {

    /**
     * Whether this response carries no body whatever is written (RFC 9110 9.3.2, 15.3.5, 15.4.5): the answer to a
     * HEAD request, a 204 or a 304. Loops send the head and drop the body.
     */
    public boolean bodyless(RequestHead request) {
        return status == 204 || status == 304 || request.method().equals("HEAD");
    }

    /** Whether the bridge asks the loop to close the connection after this response. */
    public boolean closeRequested() {
        return headers.containsToken("Connection", "close");
    }
}
