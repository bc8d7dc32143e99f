package io.servletbridge.undertow;

import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import io.undertow.server.protocol.http.HttpServerConnection;
import io.undertow.util.AttachmentKey;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSourceChannel;
import org.xnio.conduits.StreamSourceConduit;

import java.io.IOException;

/**
 * Per-connection state that outlives single exchanges: which exchange is current, so a closing connection can fail
 * it, and the loop view of the connection's IO thread.
 *
 * <p>One close listener per connection rather than one per exchange, because Undertow never removes close
 * listeners: registering per exchange would grow without bound on a long keep-alive connection.
 * Confined to the connection's IO thread.
 */
final class ConnectionWatch implements ServerConnection.CloseListener {

    private static final AttachmentKey<ConnectionWatch> KEY = AttachmentKey.create(ConnectionWatch.class);

    private final IoThreadScheduler loop;
    private UndertowExchange current;

    private ConnectionWatch(IoThreadScheduler loop) {
        this.loop = loop;
    }

    static ConnectionWatch of(ServerConnection connection) {
        ConnectionWatch watch = connection.getAttachment(KEY);
        if (watch == null) {
            watch = new ConnectionWatch(new IoThreadScheduler(connection.getIoThread()));
            connection.putAttachment(KEY, watch);
            connection.addCloseListener(watch);
        }
        return watch;
    }

    IoThreadScheduler loop() {
        return loop;
    }

    void track(UndertowExchange exchange) {
        current = exchange;
    }

    void untrack(UndertowExchange exchange) {
        if (current == exchange) {
            current = null;
        }
    }

    /**
     * Watches the socket of an exchange whose request has fully arrived, so that a client reset is noticed while
     * the exchange is parked with no read or write in progress (the Netty loop hears it from the selector without
     * reading). Undertow reads nothing until the exchange ends, so the watch reads for it: a reset closes the
     * connection, which fails the exchange; the end of input is a half-close and changes nothing (the client may
     * still read its answer); bytes of a pipelined request are pushed back for Undertow's parser and the watch
     * stops, so at most one buffer is read ahead. Undertow puts its own read listener back when the exchange ends.
     */
    static void watchForReset(HttpServerExchange exchange) {
        if (!exchange.isRequestComplete() || !(exchange.getConnection() instanceof HttpServerConnection connection)
                || connection.getExtraBytes() != null) {
            return;
        }
        StreamSourceConduit socket = connection.getOriginalSourceConduit();
        StreamSourceChannel channel = connection.getChannel().getSourceChannel();
        ChannelListener<StreamSourceChannel> probe = ignored -> {
            PooledByteBuffer pooled = connection.getByteBufferPool().allocate();
            boolean handedOver = false;
            try {
                int n = socket.read(pooled.getBuffer());
                if (n == 0) {
                    return;
                }
                socket.suspendReads();
                if (n > 0) {
                    pooled.getBuffer().flip();
                    connection.ungetRequestBytes(pooled);
                    handedOver = true;
                }
            } catch (IOException reset) {
                socket.suspendReads();
                IoUtils.safeClose(connection);
            } finally {
                if (!handedOver) {
                    pooled.close();
                }
            }
        };
        channel.getReadSetter().set(probe);
        socket.resumeReads();
    }

    @Override
    public void closed(ServerConnection connection) {
        UndertowExchange exchange = current;
        current = null;
        if (exchange != null) {
            exchange.connectionClosed();
        }
    }
}
