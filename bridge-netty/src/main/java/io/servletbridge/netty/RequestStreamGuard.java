package io.servletbridge.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.servletbridge.http.RequestStreamValidator;
import io.servletbridge.spi.LoopConfig;
import java.nio.ByteBuffer;

/**
 * Sits in front of Netty's HTTP decoder and runs every inbound byte through a {@link RequestStreamValidator}, so
 * that both loops refuse exactly the same request framing, whatever their decoders would have accepted.
 *
 * <p>Bytes go on to the decoder unchanged. At a violation, the bytes before the offending request (or, inside a
 * chunked body, before the offending byte) still go on, nothing after them does, and a {@link Refusal} event follows
 * them down the pipeline, where {@link ExchangeChannelHandler} answers it in request order.
 */
final class RequestStreamGuard extends ChannelInboundHandlerAdapter {

    /** What the validator refused: a request head (answered with {@code status}) or a body's framing. */
    record Refusal(int status, String reason, boolean inBody) {
    }

    private final RequestStreamValidator validator;

    RequestStreamGuard(LoopConfig config) {
        this.validator = new RequestStreamValidator(config.maxRequestLine(), config.maxHeaderBytes(),
                config.maxHeaderCount());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf buf = (ByteBuf) msg;
        if (validator.failed()) {
            buf.release();
            return;
        }
        int from = buf.readerIndex();
        int length = buf.readableBytes();
        // The internal view is Netty's reusable one for single-buffer memory: no allocation per read.
        ByteBuffer view = buf.nioBufferCount() == 1 ? buf.internalNioBuffer(from, length) : buf.nioBuffer(from, length);
        int base = view.position();
        int stop = validator.scan(view, base, base + length) - base;
        if (!validator.failed()) {
            ctx.fireChannelRead(buf);
            return;
        }
        // Bytes of a refused head that came in earlier reads already went on; the decoder holds them unfinished,
        // and they die with the connection.
        int keep = validator.failedInBody() ? stop : Math.max(0, stop - validator.headBytes());
        if (keep > 0) {
            buf.writerIndex(from + keep);
            ctx.fireChannelRead(buf);
        } else {
            buf.release();
        }
        ctx.fireUserEventTriggered(new Refusal(validator.status(), validator.reason(), validator.failedInBody()));
    }
}
