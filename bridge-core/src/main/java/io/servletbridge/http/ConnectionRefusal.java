package io.servletbridge.http;

import java.nio.charset.StandardCharsets;

/**
 * The whole response a loop writes on its own when it refuses a connection's input (a malformed or oversized head,
 * a head that did not arrive in time, a broken chunked body): a short plain-text 4xx that closes the connection.
 * Both loops write these exact bytes, so a refusal looks the same whichever loop serves it.
 */
public final class ConnectionRefusal {
    private ConnectionRefusal() {
    }

    /** {@code HTTP/1.1 <status>} with Date, a text body naming the status, and {@code Connection: close}. */
    public static byte[] bytes(int status) {
        String reason = StatusText.of(status);
        String body = status + " " + reason + "\n";
        // RFC 9110 6.6.1: an origin server with a clock sends Date in every 4xx.
        return ("HTTP/1.1 " + status + " " + reason + "\r\nDate: " + HttpDate.now()
                + "\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Length: " + body.length()
                + "\r\nConnection: close\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
    }
}
