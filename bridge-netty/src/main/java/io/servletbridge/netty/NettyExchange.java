package io.servletbridge.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.servletbridge.spi.BodyChunk;
import io.servletbridge.spi.DeferredFlush;
import io.servletbridge.spi.Exchange;
import io.servletbridge.spi.ExchangeEvents;
import io.servletbridge.spi.RequestHead;
import io.servletbridge.spi.ResponseHead;
import io.servletbridge.spi.WriteCallback;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request/response on a Netty connection. The SPI methods only schedule work on the channel's event loop; the
 * state below them is touched on that loop alone, by these tasks and by {@link ExchangeChannelHandler}.
 */
final class NettyExchange implements Exchange {
    private static final Logger log = LoggerFactory.getLogger(NettyExchange.class);
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final ExchangeChannelHandler connection;
    private final ChannelHandlerContext ctx;
    private final EventLoop loop;
    private final RequestHead request;
    private final boolean clientKeepAlive;
    private final boolean expectsContinue;
    /** Set by the bridge inside {@code handle}, read by later loop tasks; volatile in case it starts elsewhere. */
    private volatile ExchangeEvents events;

    private boolean demandPending;
    /** The request's last part has been taken off the connection's queue. */
    private boolean bodyComplete;
    private long bodyBytesRead;
    private boolean bodyDemanded;
    private boolean continueSent;
    private boolean headWritten;
    private boolean lastWritten;
    /** HEAD, 204 and 304 responses carry no body whatever the bridge writes. */
    private boolean bodyless;
    /** The body goes out in chunked framing. */
    private boolean chunked;
    private boolean keepAlive;
    private boolean ended;
    /** Flushes writes that did not end the response behind the loop's queued tasks; made on the first such write. */
    private DeferredFlush deferredFlush;

    NettyExchange(ExchangeChannelHandler connection, RequestHead request, boolean clientKeepAlive,
                  boolean expectsContinue) {
        this.connection = connection;
        this.ctx = connection.context();
        this.loop = ctx.channel().eventLoop();
        this.request = request;
        this.clientKeepAlive = clientKeepAlive;
        this.expectsContinue = expectsContinue;
    }

    // ---- Exchange: any thread ----

    @Override
    public RequestHead request() {
        return request;
    }

    @Override
    public void start(ExchangeEvents events) {
        Objects.requireNonNull(events, "events");
        if (this.events != null) {
            throw new IllegalStateException("exchange already started");
        }
        this.events = events;
    }

    @Override
    public void demand() {
        onLoop(() -> connection.demand(this), null);
    }

    @Override
    public java.util.List<BodyChunk> takeBufferedBody() {
        if (!loop.inEventLoop() || demandPending || bodyDemanded) {
            return null;
        }
        java.util.List<BodyChunk> whole = connection.takeRestOfBody(this);
        if (whole != null) {
            bodyDemanded = true;
        }
        return whole;
    }

    @Override
    public void sendContinue() {
        onLoop(this::writeContinue, null);
    }

    @Override
    public void write(ResponseHead head, ByteBuffer data, boolean last, WriteCallback callback) {
        WriteCallback cb = callback == null ? WriteCallback.NONE : callback;
        onLoop(() -> writeOnLoop(head, data, last, cb),
                () -> notify(cb, new IOException("the server loop has shut down")));
    }

    @Override
    public void writeFile(ResponseHead head, FileChannel file, long position, long count, boolean last,
                          WriteCallback callback) {
        Objects.requireNonNull(file, "file");
        WriteCallback cb = callback == null ? WriteCallback.NONE : callback;
        onLoop(() -> writeFileOnLoop(head, file, position, count, last, cb), () -> {
            closeQuietly(file);
            notify(cb, new IOException("the server loop has shut down"));
        });
    }

    @Override
    public void abort(Throwable cause) {
        Throwable why = cause == null ? new IOException("exchange aborted") : cause;
        onLoop(() -> {
            // What was written before the abort goes out before it cuts the connection.
            if (deferredFlush != null) {
                deferredFlush.now();
            }
            connection.abort(this, why);
        }, null);
    }

    @Override
    public ScheduledExecutorService loop() {
        return loop;
    }

    private void onLoop(Runnable task, Runnable ifShutDown) {
        // Always a fresh task, even when already on the loop: an event or callback must never reach the bridge from
        // inside the call the bridge is making.
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            if (ifShutDown != null) {
                ifShutDown.run();
            }
        }
    }

    // ---- state the connection reads and drives: loop thread only ----

    boolean started() {
        return events != null;
    }

    boolean demandPending() {
        return demandPending;
    }

    void demandPending(boolean pending) {
        demandPending = pending;
    }

    boolean bodyComplete() {
        return bodyComplete;
    }

    /** The application asked for the request body (its first read). */
    void markBodyDemanded() {
        bodyDemanded = true;
    }

    void bodyRead(int bytes, boolean last) {
        bodyBytesRead += bytes;
        bodyComplete |= last;
    }

    boolean headWritten() {
        return headWritten;
    }

    boolean keepAlive() {
        return keepAlive;
    }

    /** Returns false when the exchange had already ended. */
    boolean markEnded() {
        if (ended) {
            return false;
        }
        ended = true;
        demandPending = false;
        return true;
    }

    /** Hands one piece to the bridge; the demand stays pending if the bridge asked for the next one at once. */
    void deliverData(BodyChunk chunk) {
        demandPending = false;
        boolean more;
        try {
            more = events.onBodyData(chunk);
        } catch (RuntimeException | Error e) {
            bridgeFailed(e);
            return;
        }
        if (more && !ended) {
            bodyDemanded = true;
            demandPending = true;
        }
    }

    void deliverEnd() {
        demandPending = false;
        try {
            events.onBodyEnd();
        } catch (RuntimeException | Error e) {
            bridgeFailed(e);
        }
    }

    void notifyClosed(Throwable cause) {
        ExchangeEvents listener = events;
        if (listener == null) {
            return;
        }
        try {
            listener.onClosed(cause);
        } catch (RuntimeException | Error e) {
            log.error("Exchange listener failed in onClosed", e);
        }
    }

    private void bridgeFailed(Throwable e) {
        log.error("Exchange listener failed on {} {}", request.method(), request.target(), e);
        connection.abort(this, e);
    }

    // ---- response ----

    private void writeContinue() {
        if (ended || headWritten || continueSent || !request.isHttp11()) {
            return;
        }
        continueSent = true;
        ctx.writeAndFlush(Unpooled.wrappedBuffer(CONTINUE));
    }

    private void writeOnLoop(ResponseHead head, ByteBuffer data, boolean last, WriteCallback cb) {
        if (ended || lastWritten) {
            notify(cb, new IOException("the exchange has already ended"));
            return;
        }
        if (headWritten == (head != null)) {
            notify(cb, new IllegalStateException(headWritten
                    ? "the response head was already written" : "the first write must carry the response head"));
            return;
        }
        int bodyLength = data == null ? 0 : data.remaining();
        ByteBuf out;
        if (head != null) {
            bodyless = head.bodyless(request);
            if (bodyless) {
                bodyLength = 0;
            }
            try {
                out = encodeHead(head, last ? bodyLength : -1, bodyLength);
            } catch (IllegalArgumentException e) {
                // An invalid status or header: nothing was sent, so the bridge may still answer with an error.
                notify(cb, e);
                return;
            }
            headWritten = true;
        } else {
            if (bodyless) {
                bodyLength = 0;
            }
            out = bodyLength <= ResponseEncoder.COPY_BODY_LIMIT || chunked
                    ? ctx.alloc().directBuffer(Math.min(bodyLength, ResponseEncoder.COPY_BODY_LIMIT)
                            + ResponseEncoder.chunkOverhead())
                    : null;
        }
        lastWritten = last;
        ChannelFuture future = writeBody(out, bodyLength == 0 ? null : data, last);
        future.addListener(f -> written(f, last, cb));
    }

    private void writeFileOnLoop(ResponseHead head, FileChannel file, long position, long count, boolean last,
                                 WriteCallback cb) {
        boolean noBody = head != null ? head.bodyless(request) : bodyless;
        if (count == 0 || noBody || ended || lastWritten || headWritten == (head != null)) {
            // Nothing of the file will be sent: the buffer path refuses, frames or ends the response as it does
            // for any empty piece.
            closeQuietly(file);
            writeOnLoop(head, ByteBuffer.allocate(0), last, cb);
            return;
        }
        ByteBuf out = null;
        if (head != null) {
            bodyless = false;
            try {
                out = encodeHead(head, last ? count : -1, 0);
            } catch (IllegalArgumentException e) {
                closeQuietly(file);
                notify(cb, e);
                return;
            }
            headWritten = true;
        }
        lastWritten = last;
        // The region closes the file when Netty releases it: after the transfer, or when the write fails.
        DefaultFileRegion region = new DefaultFileRegion(file, position, count);
        ChannelFuture future;
        if (chunked) {
            if (out == null) {
                out = ctx.alloc().directBuffer(ResponseEncoder.chunkOverhead() + 8);
            }
            ResponseEncoder.appendChunkSize(out, count);
            ctx.write(out);
            ctx.write(region);
            ByteBuf tail = ctx.alloc().directBuffer(ResponseEncoder.chunkOverhead());
            ResponseEncoder.appendCrlf(tail);
            if (last) {
                ResponseEncoder.appendLastChunk(tail);
            }
            future = writeAndFlushSoon(tail, last);
        } else {
            if (out != null) {
                ctx.write(out);
            }
            future = writeAndFlushSoon(region, last);
        }
        future.addListener(f -> written(f, last, cb));
    }

    private static void closeQuietly(FileChannel file) {
        try {
            file.close();
        } catch (IOException e) {
            log.debug("Closing a response file failed", e);
        }
    }

    /**
     * Writes what {@code out} holds (a head or nothing yet) followed by the body piece in its framing. Small pieces
     * are copied into {@code out}; a large one follows it as a wrapped buffer, and the flush gathers them.
     */
    private ChannelFuture writeBody(ByteBuf out, ByteBuffer data, boolean last) {
        int len = data == null ? 0 : data.remaining();
        boolean copy = len <= ResponseEncoder.COPY_BODY_LIMIT;
        if (chunked) {
            if (len > 0) {
                ResponseEncoder.appendChunkSize(out, len);
                if (copy) {
                    out.writeBytes(data);
                } else {
                    ctx.write(out);
                    ctx.write(Unpooled.wrappedBuffer(data));
                    out = ctx.alloc().directBuffer(ResponseEncoder.chunkOverhead());
                }
                ResponseEncoder.appendCrlf(out);
            }
            if (last) {
                ResponseEncoder.appendLastChunk(out);
            }
            return writeAndFlushSoon(out, last);
        }
        if (len == 0) {
            return writeAndFlushSoon(out == null ? Unpooled.EMPTY_BUFFER : out, last);
        }
        if (copy) {
            out.writeBytes(data);
            return writeAndFlushSoon(out, last);
        }
        if (out != null) {
            ctx.write(out);
        }
        // The bridge handed the buffer over: wrapping it avoids a copy, and an unpooled wrapper needs no release.
        return writeAndFlushSoon(Unpooled.wrappedBuffer(data), last);
    }

    /** Writes {@code msg} and flushes it: at once if it ends the response, else as a {@link DeferredFlush}. */
    private ChannelFuture writeAndFlushSoon(Object msg, boolean last) {
        ChannelFuture future = ctx.write(msg);
        if (last) {
            if (deferredFlush != null) {
                deferredFlush.cancel();
            }
            ctx.flush();
        } else {
            if (deferredFlush == null) {
                deferredFlush = new DeferredFlush(loop, ctx::flush);
            }
            deferredFlush.request();
        }
        return future;
    }

    /**
     * Encodes the head with the framing and connection fields, leaving room for a body that is copied behind it.
     *
     * @param bodyLength the whole body's length when it is known from the write itself, else -1
     */
    private ByteBuf encodeHead(ResponseHead head, long bodyLength, int pieceLength) {
        long length = head.contentLength() >= 0 ? head.contentLength() : bodyless ? -1 : bodyLength;
        if (head.status() == 204 || head.status() == 304) {
            // RFC 9110 8.6 and 15.4.5: a 204 has no Content-Length; a 304's would describe the 200 it stands for,
            // which the length the bridge computed from an empty body does not.
            length = -1;
        }
        boolean closeDelimited = false;
        if (length >= 0) {
            chunked = false;
        } else if (bodyless) {
            // No body follows, so no framing is needed; a HEAD answer just cannot say how long GET's would be.
            chunked = false;
        } else if (request.isHttp11()) {
            chunked = true;
        } else {
            chunked = false;
            closeDelimited = true;
        }
        boolean closeRequested = head.closeRequested();
        keepAlive = clientKeepAlive && !closeRequested && !closeDelimited && requestBodyDisposable()
                && !connection.stopping();
        String connectionField = null;
        if (!keepAlive) {
            if (!closeRequested) {
                connectionField = "close";
            }
        } else if (!request.isHttp11()) {
            connectionField = "keep-alive";
        }
        int room = pieceLength <= ResponseEncoder.COPY_BODY_LIMIT ? pieceLength : 0;
        return ResponseEncoder.head(ctx.alloc(), head.status(), head.reason(), head.headers(), length, chunked,
                connectionField, room + ResponseEncoder.chunkOverhead());
    }

    /** Whether what is left of the request body can be read and thrown away after the response. */
    private boolean requestBodyDisposable() {
        if (request.contentLength() == 0) {
            return true;
        }
        if (expectsContinue && !continueSent && !bodyDemanded) {
            // The client holds the body back until told to send it: it may never come, or come much later. Asked
            // before whether the body is already here, because that depends on timing (Undertow does not read an
            // undemanded body, Netty's decoder may have it) and both loops must answer alike; Jetty closes here
            // too. A body the application asked for is the application's, 100 Continue or not.
            return false;
        }
        if (bodyComplete) {
            return true;
        }
        if (request.contentLength() < 0) {
            // Chunked: the size is unknown until read; the drain closes the connection if it gets too long.
            return true;
        }
        return request.contentLength() - bodyBytesRead <= connection.unreadBodyDrain();
    }

    private void written(Future<? super Void> future, boolean last, WriteCallback cb) {
        if (future.isSuccess()) {
            notify(cb, null);
            if (last) {
                connection.completed(this);
            }
        } else {
            Throwable cause = future.cause();
            notify(cb, cause);
            connection.abort(this, cause instanceof IOException ? cause : new IOException("write failed", cause));
        }
    }

    private static void notify(WriteCallback cb, Throwable failure) {
        try {
            cb.done(failure);
        } catch (RuntimeException | Error e) {
            log.error("Write callback failed", e);
        }
    }
}
