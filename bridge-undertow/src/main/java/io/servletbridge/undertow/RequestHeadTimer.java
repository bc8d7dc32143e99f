package io.servletbridge.undertow;

import io.undertow.server.AbstractServerConnection;
import io.undertow.server.ServerConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.XnioExecutor;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.StreamSinkConduit;
import org.xnio.conduits.StreamSourceConduit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The request head timeout for one connection: a request head must arrive whole within the timeout once its first
 * byte has, or the client gets {@code 408 Request Timeout} and the connection closes (RFC 9110, 15.5.9).
 *
 * <p>Undertow's own {@code REQUEST_PARSE_TIMEOUT} closes silently, so this sits under Undertow as the connection's
 * outermost source conduit, sees the first head byte arrive, and is told by {@link BridgeHttpHandler} when the head
 * was parsed and when the exchange ended. One timer per connection at most: armed when a head starts and none is
 * pending; when it fires early (that head completed, another began) it re-arms for what is left. Confined to the
 * connection's IO thread.
 */
final class RequestHeadTimer extends AbstractStreamSourceConduit<StreamSourceConduit> implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(RequestHeadTimer.class);
    private static final byte[] RESPONSE = ("HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain; charset=us-ascii"
            + "\r\nContent-Length: 20\r\nConnection: close\r\n\r\n408 Request Timeout\n").getBytes(StandardCharsets.US_ASCII);

    private final StreamConnection connection;
    /** The socket itself, under whatever Undertow stacks on for a response: between exchanges nothing is in it. */
    private final StreamSinkConduit socket;
    private final long timeoutNanos;
    private boolean inExchange;
    private boolean headPending;
    private long headStartNanos;
    private XnioExecutor.Key timer;

    private RequestHeadTimer(StreamConnection connection, long timeoutNanos) {
        super(connection.getSourceChannel().getConduit());
        this.connection = connection;
        this.socket = connection.getSinkChannel().getConduit();
        this.timeoutNanos = timeoutNanos;
    }

    /** Puts a timer under a freshly accepted connection, before Undertow wraps it; null when switched off. */
    static RequestHeadTimer install(StreamConnection connection, long timeoutNanos) {
        if (timeoutNanos <= 0) {
            return null;
        }
        RequestHeadTimer timer = new RequestHeadTimer(connection, timeoutNanos);
        connection.getSourceChannel().setConduit(timer);
        return timer;
    }

    /** The connection's timer, or null when it has none. */
    static RequestHeadTimer of(ServerConnection connection) {
        if (connection instanceof AbstractServerConnection c) {
            StreamSourceConduit outer = c.getOriginalSourceConduit();
            if (outer instanceof ValidatingSourceConduit validator) {
                outer = validator.inner();
            }
            if (outer instanceof RequestHeadTimer timer) {
                return timer;
            }
        }
        return null;
    }

    /** The head was parsed: the exchange owns the connection's bytes now. */
    void requestStarted() {
        headPending = false;
        inExchange = true;
    }

    /** The exchange ended: the next bytes start the next head. */
    void requestEnded() {
        inExchange = false;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        int n = next.read(dst);
        // Any byte starts a head, empty lines included: Undertow stops its idle clock as soon as it reads one.
        if (n > 0 && !headPending && !inExchange) {
            headPending = true;
            headStartNanos = System.nanoTime();
            if (timer == null) {
                arm(timeoutNanos);
            }
        }
        return n;
    }

    private void arm(long nanos) {
        // XNIO timers have millisecond resolution: round up so an early firing never spins.
        long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999));
        timer = connection.getIoThread().executeAfter(this, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void run() {
        timer = null;
        if (!headPending || inExchange || !connection.isOpen()) {
            return;
        }
        long left = headStartNanos + timeoutNanos - System.nanoTime();
        if (left > 0) {
            arm(left);
            return;
        }
        headPending = false;
        LOG.debug("Request head from {} incomplete after {} ms; answering 408", connection.getPeerAddress(),
                TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
        try {
            // A fresh socket buffer takes these few bytes whole; if not, the client just sees the close.
            socket.write(ByteBuffer.wrap(RESPONSE));
            socket.flush();
        } catch (IOException e) {
            LOG.debug("Could not send 408 to {}", connection.getPeerAddress(), e);
        }
        IoUtils.safeClose(connection);
    }

    /** Stops the clock: the connection closed. */
    void cancel() {
        if (timer != null) {
            timer.remove();
            timer = null;
        }
    }
}
