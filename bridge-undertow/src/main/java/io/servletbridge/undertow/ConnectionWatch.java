package io.servletbridge.undertow;

import io.undertow.server.ServerConnection;
import io.undertow.util.AttachmentKey;

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

    @Override
    public void closed(ServerConnection connection) {
        UndertowExchange exchange = current;
        current = null;
        if (exchange != null) {
            exchange.connectionClosed();
        }
    }
}
