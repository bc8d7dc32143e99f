package io.servletbridge.netty;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseEncoder;

/**
 * Netty's response encoder for whole response objects, letting already-encoded buffers through untouched.
 *
 * <p>The stock encoder also claims {@link ByteBuf}s and refuses one that arrives before a response head, which is
 * exactly what {@link ResponseEncoder}'s output looks like to it.
 */
final class PassThroughResponseEncoder extends HttpResponseEncoder {
    @Override
    public boolean acceptOutboundMessage(Object msg) throws Exception {
        return msg instanceof HttpObject && super.acceptOutboundMessage(msg);
    }
}
