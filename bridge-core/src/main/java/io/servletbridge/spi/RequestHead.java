package io.servletbridge.spi;

import java.net.InetSocketAddress;

/**
 * What the loop parsed of a request before any body byte: the ASGI "scope" of one exchange. Immutable once handed
 * to the bridge.
 *
 * @param method        the method token as received, e.g. {@code GET}
 * @param target        the raw request-target, still percent-encoded, e.g. {@code /a%20b?x=1}
 * @param protocol      {@code HTTP/1.1} or {@code HTTP/1.0}
 * @param headers       the header fields in arrival order
 * @param remote        the peer's address
 * @param local         the address the connection was accepted on
 * @param scheme        {@code http} or {@code https}
 * @param contentLength the declared body length; -1 when chunked or unknown; 0 when there is no body
 */
public record RequestHead(String method, String target, String protocol, HttpFields headers,
                          InetSocketAddress remote, InetSocketAddress local, String scheme, long contentLength) {

    /** Whether the request is HTTP/1.1 or later (1xx interim responses and chunking are allowed). */
    public boolean isHttp11() {
        return "HTTP/1.1".equals(protocol);
    }

    /** Whether the request declared a body that has not been delivered yet. */
    public boolean hasBody() {
        return contentLength != 0;
    }
}
