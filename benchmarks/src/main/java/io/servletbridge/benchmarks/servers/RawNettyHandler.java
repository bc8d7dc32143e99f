package io.servletbridge.benchmarks.servers;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.servletbridge.benchmarks.servlets.Payloads;
import io.servletbridge.benchmarks.servlets.StaticSite;
import io.netty.channel.ChannelFuture;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.TimeUnit;

/** Answers the benchmark paths with the servlets' bytes, entirely on the event loop. */
@ChannelHandler.Sharable
final class RawNettyHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    // Direct and never released, so each response is a duplicate: no copy, no allocation beyond the wrapper. Not
    // read-only: epoll writes straight from a direct buffer's memory address, which a read-only view hides.
    private static final ByteBuf HELLO = constant(Payloads.HELLO);
    private static final ByteBuf JSON = constant(Payloads.JSON);
    private static final ByteBuf DOWNLOAD = constant(Payloads.DOWNLOAD);
    private static final java.nio.file.Path STATIC_FILE =
            StaticSite.directory().resolve(StaticSite.PATH.substring(1));

    private static ByteBuf constant(byte[] bytes) {
        return Unpooled.unreleasableBuffer(Unpooled.directBuffer(bytes.length).writeBytes(bytes));
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        String uri = req.uri();
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        switch (path) {
            case "/plaintext" -> write(ctx, keepAlive, "text/plain", HELLO.duplicate());
            case "/json" -> write(ctx, keepAlive, "application/json", JSON.duplicate());
            // No thread to block here: the delay is a timer on the loop, so this row is a ceiling no pool can reach.
            case "/sleep" -> ctx.executor().schedule(
                    () -> send(ctx, keepAlive, "text/plain", HELLO.duplicate()),
                    Payloads.SLEEP_MILLIS, TimeUnit.MILLISECONDS);
            case "/download" -> write(ctx, keepAlive, "application/octet-stream", DOWNLOAD.duplicate());
            case "/upload" -> write(ctx, keepAlive, "application/octet-stream", req.content().retain());
            case StaticSite.PATH -> sendFile(ctx, keepAlive);
            default -> send(ctx, false, "text/plain", Unpooled.EMPTY_BUFFER, HttpResponseStatus.NOT_FOUND);
        }
    }

    /**
     * The file as a region ({@code sendfile}), opened per request as any file server must (the file may change),
     * written right behind the head.
     */
    private static void sendFile(ChannelHandlerContext ctx, boolean keepAlive) {
        java.nio.channels.FileChannel file;
        long length;
        try {
            file = java.nio.channels.FileChannel.open(STATIC_FILE, java.nio.file.StandardOpenOption.READ);
            length = file.size();
        } catch (java.io.IOException e) {
            send(ctx, false, "text/plain", Unpooled.EMPTY_BUFFER, HttpResponseStatus.NOT_FOUND);
            return;
        }
        DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream")
                .set(HttpHeaderNames.CONTENT_LENGTH, length);
        if (!keepAlive) {
            head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ctx.write(head, ctx.voidPromise());
        ctx.write(new DefaultFileRegion(file, 0, length), ctx.voidPromise());
        ChannelFuture end = ctx.write(LastHttpContent.EMPTY_LAST_CONTENT);
        if (!keepAlive) {
            end.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Answers now and leaves the flush to channelReadComplete: one syscall for everything one read produced. */
    private static void write(ChannelHandlerContext ctx, boolean keepAlive, String type, ByteBuf body) {
        if (keepAlive) {
            ctx.write(response(type, body, HttpResponseStatus.OK), ctx.voidPromise());
        } else {
            send(ctx, false, type, body, HttpResponseStatus.OK);
        }
    }

    /** For answers given outside a read (the timer), which must flush themselves. */
    private static void send(ChannelHandlerContext ctx, boolean keepAlive, String type, ByteBuf body) {
        send(ctx, keepAlive, type, body, HttpResponseStatus.OK);
    }

    private static void send(ChannelHandlerContext ctx, boolean keepAlive, String type, ByteBuf body,
            HttpResponseStatus status) {
        FullHttpResponse resp = response(type, body, status);
        if (keepAlive) {
            ctx.writeAndFlush(resp, ctx.voidPromise());
        } else {
            resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static FullHttpResponse response(String type, ByteBuf body, HttpResponseStatus status) {
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, type)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        return resp;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
