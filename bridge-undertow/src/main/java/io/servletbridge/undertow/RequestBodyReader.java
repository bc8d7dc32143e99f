package io.servletbridge.undertow;

import io.servletbridge.spi.BodyChunk;
import io.servletbridge.spi.LoopConfig;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpContinue;
import io.undertow.server.protocol.http.HttpServerConnection;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.channels.Channels;
import org.xnio.channels.StreamSourceChannel;
import org.xnio.conduits.ConduitStreamSinkChannel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Reads the request body only while the bridge has asked for it, one answer per demand (renewed in place while the
 * bridge's window has room); once the response is done, reads and discards what the application left unread, up to
 * a budget, so the connection can carry the next request.
 *
 * <p>Reads are suspended before every read that may end the body: once Undertow considers the request finished its
 * channel ignores suspend calls, and a listener left resumed would spin.
 */
final class RequestBodyReader implements ChannelListener<StreamSourceChannel> {
    /** What {@link #readOnce} returns when the socket had no bytes for now (a sentinel, never delivered). */
    private static final BodyChunk NOTHING_YET = BodyChunk.of(ByteBuffer.allocate(0));

    private final UndertowExchange owner;
    private final HttpServerExchange exchange;
    private final long declaredLength;
    private final long drainBudget;
    private StreamSourceChannel channel;
    private boolean demanded;
    private boolean ended;
    private long received;
    private boolean draining;
    private long drainLeft;
    /** Output shut down, the rest of the body read and discarded before the close (see {@link #lingerThenClose}). */
    private boolean lingering;

    RequestBodyReader(UndertowExchange owner, HttpServerExchange exchange, long declaredLength, long drainBudget) {
        this.owner = owner;
        this.exchange = exchange;
        this.declaredLength = declaredLength;
        // Capped so that drainLeft + 1 below cannot overflow.
        this.drainBudget = Math.min(Math.max(0, drainBudget), Long.MAX_VALUE - 1);
    }

    /**
     * Whether the client may still be holding its body back for a {@code 100 Continue} nobody sent. Asked just
     * before the final response starts, while Undertow still answers this question.
     */
    boolean continueOwed() {
        return received == 0 && !exchange.isRequestComplete() && HttpContinue.requiresContinueResponse(exchange);
    }

    /**
     * Whether more of the declared body is left unread than the drain budget: the connection cannot be kept, and
     * the response should say so ({@code Connection: close}), as on Netty, or a client would send its next request
     * on a connection about to close. Asked just before the final response starts.
     */
    boolean beyondDrain() {
        return !ended && !exchange.isRequestComplete() && declaredLength >= 0
                && declaredLength - received > drainBudget;
    }

    /** Nothing of the body has been asked for or read yet. */
    boolean untouched() {
        return channel == null && !demanded && !ended && received == 0;
    }

    /**
     * Reads a body the parser already holds whole (see {@link UndertowExchange#takeBufferedBody}): every read is
     * answered from memory, to the end. Null if the exchange failed on the way.
     */
    java.util.List<BodyChunk> readBuffered() {
        java.util.List<BodyChunk> whole = new java.util.ArrayList<>(2);
        try {
            StreamSourceChannel source = channel();
            BodyChunk chunk;
            while ((chunk = readOnce(source)) != null) {
                if (chunk == NOTHING_YET) {
                    throw new IOException("the request body the parser held ran short");
                }
                whole.add(chunk);
                received += chunk.data().remaining();
            }
            ended = true;
            return whole;
        } catch (IOException e) {
            whole.forEach(BodyChunk::release);
            owner.fail(e);
            return null;
        }
    }

    /**
     * One read into a pooled buffer, lent to the bridge as it is when {@link BodyChunk#worthLending} says so, else
     * copied out to heap memory: {@link #NOTHING_YET} when the socket had nothing, null at the body's end.
     */
    private BodyChunk readOnce(StreamSourceChannel source) throws IOException {
        PooledByteBuffer pooled = exchange.getConnection().getByteBufferPool().allocate();
        boolean lent = false;
        try {
            ByteBuffer buffer = pooled.getBuffer();
            int n = source.read(buffer);
            if (n <= 0) {
                return n == 0 ? NOTHING_YET : null;
            }
            buffer.flip();
            if (BodyChunk.worthLending(n, buffer.capacity())) {
                lent = true;
                return BodyChunk.lent(buffer, pooled::close);
            }
            return BodyChunk.of(ByteBuffer.allocate(n).put(buffer).flip());
        } finally {
            if (!lent) {
                pooled.close();
            }
        }
    }

    void demand() {
        if (owner.ended() || demanded) {
            return;
        }
        if (ended) {
            owner.deliverEnd();
            return;
        }
        demanded = true;
        read();
    }

    @Override
    public void handleEvent(StreamSourceChannel ignored) {
        channel.suspendReads();
        if (draining) {
            drain();
        } else if (demanded && !owner.ended()) {
            read();
        }
    }

    /** Reads and delivers while the bridge keeps its demand open and the socket has bytes. */
    private void read() {
        while (true) {
            StreamSourceChannel source;
            BodyChunk chunk;
            try {
                source = channel();
                chunk = readOnce(source);
            } catch (IOException e) {
                demanded = false;
                owner.fail(e);
                return;
            }
            if (chunk == NOTHING_YET) {
                source.resumeReads();
                return;
            }
            demanded = false;
            if (chunk == null) {
                ended = true;
                owner.deliverEnd();
                return;
            }
            received += chunk.data().remaining();
            if (!owner.deliverData(chunk) || owner.ended()) {
                return;
            }
            demanded = true;
        }
    }

    /**
     * Called once the last response byte left. A body the application did not finish is drained within the budget;
     * past it, or when the connection is not to be reused anyway, the connection is closed instead, so unread body
     * bytes are never parsed as a request.
     */
    void afterResponse() {
        demanded = false;
        if (exchange.isRequestComplete()) {
            return;
        }
        draining = true;
        if (!exchange.isPersistent() || beyondDrain()) {
            lingerThenClose();
        } else {
            drainLeft = drainBudget;
        }
        drain();
    }

    /**
     * The connection closes, but the client may still be sending a body nobody read; closing now would reset it,
     * and the client could lose the response (see {@link io.servletbridge.spi.LoopConfig#LINGER_TIME}). So: shut
     * down the output, so the client sees the response end, then read and discard the rest of the body, for at most
     * {@code LINGER_TIME} and {@code LINGER_BYTES}, and close. Reads stay event-driven; a timer on this IO thread
     * ends it.
     */
    private void lingerThenClose() {
        lingering = true;
        drainLeft = LoopConfig.LINGER_BYTES;
        if (!(exchange.getConnection() instanceof HttpServerConnection)) {
            IoUtils.safeClose(exchange.getConnection());
            return;
        }
        ConduitStreamSinkChannel sink = ((HttpServerConnection) exchange.getConnection()).getChannel().getSinkChannel();
        try {
            sink.shutdownWrites();
            // Nothing of the response is pending (its last write completed), so this flush is the FIN alone.
            sink.flush();
        } catch (IOException e) {
            IoUtils.safeClose(exchange.getConnection());
            return;
        }
        exchange.getIoThread().executeAfter(() -> IoUtils.safeClose(exchange.getConnection()),
                LoopConfig.LINGER_TIME.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void drain() {
        try {
            StreamSourceChannel source = channel();
            for (;;) {
                // One byte past the budget tells "ends exactly at the budget" from "goes on".
                long n = Channels.drain(source, drainLeft + 1);
                if (n < 0) {
                    if (lingering) {
                        // All of it read: the close sends no reset.
                        IoUtils.safeClose(exchange.getConnection());
                    }
                    // Otherwise Undertow saw the end of the body and has moved on to the next request.
                    return;
                }
                if (n == 0) {
                    source.resumeReads();
                    return;
                }
                drainLeft -= n;
                if (drainLeft < 0) {
                    if (lingering) {
                        IoUtils.safeClose(exchange.getConnection());
                        return;
                    }
                    // A chunked body longer than the drain budget: the connection closes, lingering first.
                    lingerThenClose();
                }
            }
        } catch (IOException e) {
            IoUtils.safeClose(exchange.getConnection());
        }
    }

    private StreamSourceChannel channel() throws IOException {
        if (channel == null) {
            // Undertow hands its request channel out once; it only goes elsewhere when it ends the exchange itself.
            StreamSourceChannel taken = exchange.getRequestChannel();
            if (taken == null) {
                throw new IOException("the request channel is gone: Undertow ended the exchange");
            }
            taken.getReadSetter().set(this);
            channel = taken;
        }
        return channel;
    }
}
