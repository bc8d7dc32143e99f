package io.servletbridge.netty;

import io.netty.buffer.Unpooled;
import io.servletbridge.http.ConnectionRefusal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.servletbridge.http.RequestHeadRules;
import io.servletbridge.spi.BodyChunk;
import io.servletbridge.spi.ExchangeHandler;
import io.servletbridge.spi.ExchangeTracker;
import io.servletbridge.spi.LoopConfig;
import io.servletbridge.spi.RequestHead;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection: turns the decoder's stream of requests into exchanges, one at a time, and owns everything the
 * connection holds. All state here is confined to the channel's event loop.
 *
 * <p>The socket is read only when something needs bytes: the connection waits for its next request, the current
 * exchange has an unanswered demand, or a finished exchange's unread body is being discarded. That keeps
 * {@link #inbound} small even when a client pipelines or streams a large body.
 */
final class ExchangeChannelHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ExchangeChannelHandler.class);

    private final LoopConfig config;
    private final ExchangeHandler bridge;
    private final ExchangeTracker exchanges;

    /** Decoded but not yet consumed: the rest of the current body, then any pipelined requests behind it. */
    private final ArrayDeque<HttpObject> inbound = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private NettyExchange current;
    /** Discarding the unread body of an exchange that already completed, so the connection can be reused. */
    private boolean draining;
    private long drained;
    /** A malformed request was answered: the connection is closing and its input means nothing any more. */
    private boolean rejected;
    private boolean closed;
    /** Output shut down after the last response; input is read and thrown away until the client closes. */
    private boolean lingering;
    private long lingered;
    private ScheduledFuture<?> lingerTimer;
    /** The client shut down its sending side: no request can follow the current one. */
    private boolean inputShutdown;
    private boolean processing;
    private boolean processAgain;

    /** 0: no request head timeout. */
    private final long headerTimeoutNanos;
    /** Bytes of the next request head arrived (since {@link #headStartNanos}) and the decoder has not finished it. */
    private boolean headPending;
    private long headStartNanos;
    /**
     * At most one timer per connection. It is armed only when a read ends with a head still incomplete, and when it
     * fires early (that head completed and another began) it re-arms for what is left, so a head that arrives in one
     * read costs no timer at all.
     */
    private ScheduledFuture<?> headTimer;

    ExchangeChannelHandler(LoopConfig config, ExchangeHandler bridge, ExchangeTracker exchanges) {
        this.config = config;
        this.bridge = bridge;
        this.exchanges = exchanges;
        this.headerTimeoutNanos = LoopConfig.enabled(config.headerTimeout()) ? config.headerTimeout().toNanos() : 0;
    }

    /** Sits before the HTTP decoder and tells this handler when raw bytes arrive, so a head's first byte is seen. */
    ChannelHandler requestBytesWatch() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof ByteBuf bytes && bytes.isReadable()) {
                    bytesArrived();
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    private void bytesArrived() {
        // Bytes that arrive while an exchange runs or a body is drained are body bytes (or pipelined requests,
        // whose clock starts when their turn comes and the connection reads again). Any other byte starts a head,
        // empty lines included: the parser skips them (RFC 9112, 2.2), but a connection that sent one has left the
        // idle state, and Undertow stops its idle clock then too.
        if (headerTimeoutNanos > 0 && !headPending && current == null && !draining && !closed && !rejected) {
            headPending = true;
            headStartNanos = System.nanoTime();
        }
    }

    private void armHeadTimer(long nanos) {
        headTimer = ctx.executor().schedule(this::headTimerFired, nanos, TimeUnit.NANOSECONDS);
    }

    private void headTimerFired() {
        headTimer = null;
        if (!headPending || closed || rejected) {
            return;
        }
        long left = headStartNanos + headerTimeoutNanos - System.nanoTime();
        if (left > 0) {
            armHeadTimer(left);
            return;
        }
        log.debug("Request head on {} incomplete after {} ms; answering 408", ctx.channel(),
                TimeUnit.NANOSECONDS.toMillis(headerTimeoutNanos));
        headPending = false;
        reject(HttpResponseStatus.REQUEST_TIMEOUT);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.fireChannelActive();
        readIfNeeded();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (lingering) {
            if (msg instanceof ByteBufHolder) {
                lingered += ((ByteBufHolder) msg).content().readableBytes();
            }
            ReferenceCountUtil.release(msg);
            if (lingered > LoopConfig.LINGER_BYTES) {
                log.debug("Closing {}: more than {} bytes after the last response", ctx.channel(),
                        LoopConfig.LINGER_BYTES);
                ctx.close();
            }
            return;
        }
        if (closed || rejected || !(msg instanceof HttpObject)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest) {
            headPending = false;
        }
        if (current != null && inbound.isEmpty() && msg instanceof LastHttpContent
                && !((LastHttpContent) msg).content().isReadable() && !current.bodyComplete()
                && !current.demandPending() && ((LastHttpContent) msg).decoderResult().isSuccess()
                && ((LastHttpContent) msg).trailingHeaders().isEmpty()) {
            // The empty end of a body-less request: note it now rather than queueing it, so the queue is empty and
            // the connection can keep its read interest while the servlet runs (see readIfNeeded).
            current.bodyRead(0, true);
            ReferenceCountUtil.release(msg);
            return;
        }
        inbound.add((HttpObject) msg);
        process();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (lingering) {
            ctx.read();
            return;
        }
        // Asking for the next read only here, not per message, keeps one socket read from arming another while the
        // decoder is still handing us what the first one produced.
        readIfNeeded();
        if (headPending && headTimer == null && !closed && !rejected) {
            armHeadTimer(headerTimeoutNanos);
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof RequestStreamGuard.Refusal) {
            // It follows everything the decoder made of the bytes before it, so it takes its turn in the queue.
            RequestStreamGuard.Refusal refusal = (RequestStreamGuard.Refusal) evt;
            if (closed || rejected) {
                return;
            }
            if (refusal.inBody()) {
                LastHttpContent failed = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
                failed.setDecoderResult(DecoderResult.failure(new IOException(refusal.reason())));
                inbound.add(failed);
            } else {
                inbound.add(new RefusedRequest(refusal));
            }
            process();
            return;
        }
        if (evt instanceof ChannelInputShutdownEvent && lingering) {
            // The client has read what it wanted and closed: now the close sends no reset.
            ctx.close();
            return;
        }
        if (evt instanceof ChannelInputShutdownEvent) {
            // The decoder has already passed on what it could make of the last bytes (a body cut short arrives as
            // a failed part, which ends the exchange). What remains: answer the request in progress, then close.
            inputShutdown = true;
            if (current == null) {
                close();
            } else {
                process();
                readIfNeeded();
            }
            return;
        }
        if (evt instanceof IdleStateEvent) {
            // An exchange in progress may legitimately be silent for long (a slow servlet); only an idle
            // connection is closed. A half-received head is the header timeout's to answer, with 408.
            if (current == null && !headPending) {
                close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        lingering = false;
        if (lingerTimer != null) {
            lingerTimer.cancel(false);
            lingerTimer = null;
        }
        if (headTimer != null) {
            headTimer.cancel(false);
            headTimer = null;
        }
        if (current != null) {
            end(current, new IOException("connection closed"));
        }
        releaseInbound();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("Connection {} failed", ctx.channel(), cause);
        } else {
            log.warn("Connection {} failed", ctx.channel(), cause);
        }
        if (current != null) {
            end(current, cause instanceof IOException ? cause : new IOException(cause));
        }
        close();
    }

    // ---- called by NettyExchange, always from a task of its own on this loop ----

    ChannelHandlerContext context() {
        return ctx;
    }

    long unreadBodyDrain() {
        return config.unreadBodyDrain();
    }

    boolean stopping() {
        return exchanges.stopping();
    }

    void demand(NettyExchange exchange) {
        exchange.markBodyDemanded();
        if (exchange != current || exchange.demandPending()) {
            return;
        }
        exchange.demandPending(true);
        process();
        readIfNeeded();
    }

    /**
     * Takes the rest of the exchange's Content-Length body off the queue, copied to heap buffers, if the queue holds
     * all of it with no failure in it; else null, leaving the queue alone.
     */
    List<BodyChunk> takeRestOfBody(NettyExchange exchange) {
        if (exchange != current || exchange.bodyComplete() || exchange.request().contentLength() <= 0) {
            return null;
        }
        int pieces = 0;
        boolean whole = false;
        for (HttpObject next : inbound) {
            if (!(next instanceof HttpContent) || !next.decoderResult().isSuccess()) {
                return null;
            }
            pieces++;
            if (next instanceof LastHttpContent) {
                whole = true;
                break;
            }
        }
        if (!whole) {
            return null;
        }
        List<BodyChunk> body = new ArrayList<>(pieces);
        for (int i = 0; i < pieces; i++) {
            BodyChunk chunk = consume(exchange, (HttpContent) inbound.poll());
            if (chunk != null) {
                body.add(chunk);
            }
        }
        // The body is complete: what comes next is the next request, read ahead as usual.
        readIfNeeded();
        return body;
    }

    /** The last write of {@code exchange} reached the socket. */
    void completed(NettyExchange exchange) {
        if (!exchange.markEnded()) {
            return;
        }
        exchanges.end();
        current = null;
        if (!exchange.keepAlive() || exchanges.stopping() || inputShutdown) {
            if (exchange.bodyComplete() || inputShutdown) {
                close();
            } else {
                lingerThenClose();
            }
            return;
        }
        if (!exchange.bodyComplete()) {
            draining = true;
            drained = 0;
        }
        process();
        readIfNeeded();
    }

    /** Ends {@code exchange} abruptly, if it has not ended yet, and closes the connection under it. */
    void abort(NettyExchange exchange, Throwable cause) {
        if (end(exchange, cause)) {
            close();
        }
    }

    // ---- inbound ----

    private void process() {
        // Delivering an event can end the exchange and start the next one; loop instead of recursing.
        if (processing) {
            processAgain = true;
            return;
        }
        processing = true;
        try {
            do {
                processAgain = false;
                advance();
            } while (processAgain && !closed);
        } finally {
            processing = false;
        }
    }

    private void advance() {
        while (!closed && !rejected) {
            if (draining) {
                if (!drainQueued()) {
                    return;
                }
            } else if (current == null) {
                if (!startQueued()) {
                    return;
                }
            } else {
                feedDemand(current);
                return;
            }
        }
    }

    /** Returns true when the unread body is fully discarded and the next request may start. */
    private boolean drainQueued() {
        HttpObject next;
        while ((next = inbound.poll()) != null) {
            if (!(next instanceof HttpContent) || next.decoderResult().isFailure()) {
                ReferenceCountUtil.release(next);
                close();
                return false;
            }
            HttpContent content = (HttpContent) next;
            drained += content.content().readableBytes();
            boolean last = content instanceof LastHttpContent;
            content.release();
            if (drained > config.unreadBodyDrain()) {
                log.debug("Closing {}: unread request body exceeds {} bytes", ctx.channel(), config.unreadBodyDrain());
                lingerThenClose();
                return false;
            }
            if (last) {
                draining = false;
                return true;
            }
        }
        return false;
    }

    /** Returns true when an exchange was started. */
    private boolean startQueued() {
        HttpObject next = inbound.poll();
        if (next == null) {
            return false;
        }
        if (next instanceof RefusedRequest) {
            RequestStreamGuard.Refusal refusal = ((RefusedRequest) next).refusal;
            log.debug("Refusing a request on {}: {}", ctx.channel(), refusal.reason());
            reject(HttpResponseStatus.valueOf(refusal.status()));
            return false;
        }
        if (!(next instanceof HttpRequest)) {
            ReferenceCountUtil.release(next);
            close();
            return false;
        }
        HttpRequest request = (HttpRequest) next;
        try {
            DecoderResult result = request.decoderResult();
            if (result.isFailure() && result.cause() instanceof PrematureChannelClosureException) {
                // The client half-closed inside a head: there is no request to answer (Undertow's parser just
                // closes too), and a 400 would only go to a peer that has said it is done.
                log.debug("Head cut short by the client's half-close on {}", ctx.channel());
                close();
                return false;
            }
            if (result.isFailure()) {
                log.debug("Rejecting a malformed request on {}", ctx.channel(), result.cause());
                reject(RequestRejection.statusFor(result.cause()));
                return false;
            }
            if (request.headers().size() > config.maxHeaderCount()) {
                reject(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE);
                return false;
            }
            RequestHead head = RequestHeads.from(request, ctx.channel());
            current = new NettyExchange(this, head, RequestHeadRules.clientKeepAlive(head),
                    HttpUtil.is100ContinueExpected(request));
        } finally {
            // Only the failed placeholder the decoder makes is a full (reference-counted) request.
            ReferenceCountUtil.release(request);
        }
        NettyExchange exchange = current;
        exchanges.begin();
        try {
            bridge.handle(exchange);
        } catch (RuntimeException | Error e) {
            log.error("Exchange handler failed on {} {}", exchange.request().method(), exchange.request().target(), e);
            abort(exchange, e);
            return false;
        }
        if (!exchange.started()) {
            abort(exchange, new IllegalStateException("the exchange handler returned without starting the exchange"));
            return false;
        }
        return true;
    }

    /** Answers the exchange's outstanding demand from what is queued, if anything is. */
    private void feedDemand(NettyExchange exchange) {
        while (exchange.demandPending()) {
            if (exchange.bodyComplete()) {
                exchange.deliverEnd();
                return;
            }
            HttpObject next = inbound.poll();
            if (next == null) {
                return;
            }
            if (!(next instanceof HttpContent)) {
                ReferenceCountUtil.release(next);
                abort(exchange, new IOException("request body ended without its last part"));
                return;
            }
            HttpContent content = (HttpContent) next;
            if (content.decoderResult().isFailure()) {
                Throwable cause = content.decoderResult().cause();
                content.release();
                malformedBody(exchange, cause);
                return;
            }
            BodyChunk chunk = consume(exchange, content);
            if (chunk != null) {
                exchange.deliverData(chunk);
            }
        }
    }

    /**
     * Counts one body piece as read and turns it into what the bridge gets: the pooled bytes themselves when
     * {@link BodyChunk#worthLending} says so (the read buffer it is a slice of is the footprint), so a worker reads
     * them where they are and the loop copies nothing; otherwise a heap copy, and the pooled buffer goes back at once.
     * Null when the piece had no bytes.
     */
    private static BodyChunk consume(NettyExchange exchange, HttpContent content) {
        ByteBuf bytes = content.content();
        int length = bytes.readableBytes();
        exchange.bodyRead(length, content instanceof LastHttpContent);
        if (length == 0) {
            content.release();
            return null;
        }
        ByteBuf parent = bytes.unwrap();
        int footprint = parent == null ? bytes.capacity() : parent.capacity();
        if (bytes.nioBufferCount() == 1 && BodyChunk.worthLending(length, footprint)) {
            return BodyChunk.lent(bytes.nioBuffer(), content::release);
        }
        ByteBuffer copy = ByteBuffer.allocate(length);
        bytes.getBytes(bytes.readerIndex(), copy);
        content.release();
        return BodyChunk.of(copy.flip());
    }

    private void malformedBody(NettyExchange exchange, Throwable cause) {
        log.debug("Malformed request body on {}", ctx.channel(), cause);
        boolean canAnswer = !exchange.headWritten();
        end(exchange, new IOException("malformed request body", cause));
        if (canAnswer) {
            reject(HttpResponseStatus.BAD_REQUEST);
        } else {
            close();
        }
    }

    private boolean end(NettyExchange exchange, Throwable cause) {
        if (!exchange.markEnded()) {
            return false;
        }
        exchanges.end();
        if (current == exchange) {
            current = null;
        }
        exchange.notifyClosed(cause);
        return true;
    }

    private void reject(HttpResponseStatus status) {
        rejected = true;
        releaseInbound();
        ctx.writeAndFlush(Unpooled.wrappedBuffer(ConnectionRefusal.bytes(status.code())))
                .addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * Closes after the last response while the client may still be sending a body nobody reads (see
     * {@link LoopConfig#LINGER_TIME}): shuts down the output, so the client sees the response end, then reads and
     * discards until the client closes, {@link LoopConfig#LINGER_BYTES} have come, or the time is up. Never blocks:
     * reads keep arriving as events, and a timer on this loop ends it.
     */
    private void lingerThenClose() {
        if (closed) {
            return;
        }
        if (!(ctx.channel() instanceof DuplexChannel)) {
            close();
            return;
        }
        closed = true;
        lingering = true;
        releaseInbound();
        if (headTimer != null) {
            headTimer.cancel(false);
            headTimer = null;
        }
        lingerTimer = ctx.executor().schedule(() -> {
            lingerTimer = null;
            ctx.close();
        }, LoopConfig.LINGER_TIME.toNanos(), TimeUnit.NANOSECONDS);
        ((DuplexChannel) ctx.channel()).shutdownOutput().addListener(f -> {
            if (!f.isSuccess()) {
                ctx.close();
            }
        });
        ctx.read();
    }

    private void close() {
        if (current != null) {
            end(current, new IOException("connection closed"));
        }
        if (closed) {
            return;
        }
        closed = true;
        releaseInbound();
        ctx.close();
    }

    private void readIfNeeded() {
        if (closed || rejected || !inbound.isEmpty()) {
            return;
        }
        if (inputShutdown) {
            // Nothing more will arrive: a demand that the queue could not answer never will be.
            if (current != null && current.demandPending()) {
                abort(current, new IOException("the client closed its side before the request body ended"));
            }
            return;
        }
        // A current exchange whose body is complete reads ahead too: what arrives is the next request, queued (one
        // socket read at most, then the non-empty queue stops reading). Keeping the read interest set means no
        // epoll_ctl call to drop it at each request and another to restore it after the response, and a client
        // that goes away mid-exchange is noticed at once.
        if (current == null || current.demandPending() || current.bodyComplete()) {
            ctx.read();
        }
    }

    /** Stands in the queue where the request the guard refused would have been. */
    private static final class RefusedRequest implements HttpObject {
        private final RequestStreamGuard.Refusal refusal;

        RefusedRequest(RequestStreamGuard.Refusal refusal) {
            this.refusal = refusal;
        }

        @Override
        public DecoderResult decoderResult() {
            return DecoderResult.SUCCESS;
        }

        @Override
        @Deprecated
        public DecoderResult getDecoderResult() {
            return DecoderResult.SUCCESS;
        }

        @Override
        public void setDecoderResult(DecoderResult result) {
            throw new UnsupportedOperationException();
        }
    }

    private void releaseInbound() {
        HttpObject next;
        while ((next = inbound.poll()) != null) {
            ReferenceCountUtil.release(next);
        }
    }
}
