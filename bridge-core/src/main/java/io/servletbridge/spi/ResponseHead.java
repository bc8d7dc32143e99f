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

    /** Whether the bridge asks the loop to close the connection after this response. */
    public boolean closeRequested() {
        return headers.containsToken("Connection", "close");
    }
}
