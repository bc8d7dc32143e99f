package io.servletbridge.undertow;

import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpContinue;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.channels.Channels;
import org.xnio.channels.StreamSourceChannel;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Reads the request body only while the bridge has asked for it, one answer per demand; once the response is done,
 * reads and discards what the application left unread, up to a budget, so the connection can carry the next request.
 *
 * <p>Reads are suspended before every read that may end the body: once Undertow considers the request finished its
 * channel ignores suspend calls, and a listener left resumed would spin.
 */
final class RequestBodyReader implements ChannelListener<StreamSourceChannel> {

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
     * Whether more of a declared body is still unread than the drain after the response would read, so the
     * connection closes anyway: the response says so up front, as the Netty loop's does.
     */
    boolean tooLongToDrain() {
        return declaredLength >= 0 && !exchange.isRequestComplete() && declaredLength - received > drainBudget;
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

    private void read() {
        StreamSourceChannel source;
        ByteBuffer chunk = null;
        int n;
        PooledByteBuffer pooled = exchange.getConnection().getByteBufferPool().allocate();
        try {
            source = channel();
            ByteBuffer buffer = pooled.getBuffer();
            n = source.read(buffer);
            if (n > 0) {
                buffer.flip();
                chunk = ByteBuffer.allocate(n).put(buffer).flip();
            }
        } catch (IOException e) {
            demanded = false;
            owner.fail(e);
            return;
        } finally {
            pooled.close();
        }
        if (n == 0) {
            source.resumeReads();
            return;
        }
        demanded = false;
        if (n < 0) {
            ended = true;
            owner.deliverEnd();
        } else {
            received += n;
            owner.deliverData(chunk);
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
        if (!exchange.isPersistent() || declaredLength >= 0 && declaredLength - received > drainBudget) {
            IoUtils.safeClose(exchange.getConnection());
            return;
        }
        draining = true;
        drainLeft = drainBudget;
        drain();
    }

    private void drain() {
        try {
            StreamSourceChannel source = channel();
            for (;;) {
                // One byte past the budget tells "ends exactly at the budget" from "goes on".
                long n = Channels.drain(source, drainLeft + 1);
                if (n < 0) {
                    // Undertow saw the end of the body and has moved on to the next request.
                    return;
                }
                if (n == 0) {
                    source.resumeReads();
                    return;
                }
                drainLeft -= n;
                if (drainLeft < 0) {
                    IoUtils.safeClose(exchange.getConnection());
                    return;
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
