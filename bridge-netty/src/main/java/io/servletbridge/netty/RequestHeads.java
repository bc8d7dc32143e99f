package io.servletbridge.netty;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.servletbridge.spi.HttpFields;
import io.servletbridge.spi.RequestHead;
import java.net.InetSocketAddress;
import java.util.Map;

/** Turns what Netty's decoder parsed into the bridge's {@link RequestHead}. */
final class RequestHeads {

    private RequestHeads() {
    }

    static RequestHead from(HttpRequest request, Channel channel) {
        HttpFields fields = new HttpFields(Math.max(request.headers().size(), 1));
        for (Map.Entry<String, String> field : request.headers()) {
            fields.add(field.getKey(), field.getValue());
        }
        return new RequestHead(request.method().name(), request.uri(), request.protocolVersion().text(), fields,
                (InetSocketAddress) channel.remoteAddress(), (InetSocketAddress) channel.localAddress(), "http",
                contentLength(request));
    }

    /** -1 for chunked, the declared length, or 0: a request without either has no body (RFC 9112, 6.3). */
    static long contentLength(HttpRequest request) {
        if (HttpUtil.isTransferEncodingChunked(request)) {
            return -1;
        }
        // The decoder has already rejected malformed or conflicting Content-Length values.
        return HttpUtil.getContentLength(request, 0L);
    }
}
