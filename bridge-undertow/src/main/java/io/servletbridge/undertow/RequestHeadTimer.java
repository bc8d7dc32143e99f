package io.servletbridge.undertow;

import io.servletbridge.http.ConnectionRefusal;

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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The request head timeout for one connection: a request head must arrive whole within the timeout once its first
 * byte has, or the client gets {@code 408 Request Timeout} and the connection closes (RFC 9110, 15.5.9). It also
 * keeps the idle timeout between requests, silently closing a connection that sent nothing for that long.
 *
 * <p>The idle clock is here rather than Undertow's {@code NO_REQUEST_TIMEOUT} because the request validator above
 * holds an incomplete head back from Undertow's parser: Undertow would take a slowly arriving head for silence and
 * cut it at the idle timeout, before the head timeout could answer 408. This conduit sees the raw bytes.
 *
 * <p>Undertow's own {@code REQUEST_PARSE_TIMEOUT} closes silently, so this sits under Undertow as the connection's
 * outermost source conduit, sees the first head byte arrive, and is told by {@link BridgeHttpHandler} when the head
 * was parsed and when the exchange ended. One timer per connection at most: armed when a head starts and none is
 * pending; when it fires early (that head completed, another began) it re-arms for what is left. Confined to the
 * connection's IO thread.
 */
final class RequestHeadTimer extends AbstractStreamSourceConduit<StreamSourceConduit> implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(RequestHeadTimer.class);

    private final StreamConnection connection;
    /** The socket itself, under whatever Undertow stacks on for a response: between exchanges nothing is in it. */
    private final StreamSinkConduit socket;
    private final long timeoutNanos;
    private final long idleNanos;
    private long idleSinceNanos;
    private boolean inExchange;
    private boolean headPending;
    private long headStartNanos;
    private XnioExecutor.Key timer;
    /** When the pending timer fires (System.nanoTime), meaningful while {@link #timer} is set. */
    private long timerDueNanos;

    private RequestHeadTimer(StreamConnection connection, long timeoutNanos, long idleNanos) {
        super(connection.getSourceChannel().getConduit());
        this.connection = connection;
        this.socket = connection.getSinkChannel().getConduit();
        this.timeoutNanos = timeoutNanos;
        this.idleNanos = idleNanos;
    }

    /**
     * Puts a timer under a freshly accepted connection, before Undertow wraps it; null when both timeouts are off.
     */
    static RequestHeadTimer install(StreamConnection connection, long timeoutNanos, long idleNanos) {
        if (timeoutNanos <= 0 && idleNanos <= 0) {
            return null;
        }
        RequestHeadTimer timer = new RequestHeadTimer(connection, timeoutNanos, idleNanos);
        connection.getSourceChannel().setConduit(timer);
        // The accepting thread may not be the connection's: the timer state belongs to the connection's IO thread.
        connection.getIoThread().execute(timer::becameIdle);
        return timer;
    }

    private void becameIdle() {
        idleSinceNanos = System.nanoTime();
        if (idleNanos > 0) {
            fireBy(idleSinceNanos + idleNanos);
        }
    }

    /**
     * Makes sure the timer fires no later than {@code dueNanos}: a pending one due by then stays (it re-arms itself
     * for whatever is left when it fires), a later one is replaced. So a connection has one timer, and a keep-alive
     * exchange usually costs none.
     */
    private void fireBy(long dueNanos) {
        if (timer != null && timerDueNanos - dueNanos <= 0) {
            return;
        }
        cancel();
        arm(dueNanos - System.nanoTime());
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
        becameIdle();
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        int n = next.read(dst);
        // Any byte starts a head, empty lines included: Undertow stops its idle clock as soon as it reads one.
        if (n > 0 && !headPending && !inExchange) {
            headPending = true;
            headStartNanos = System.nanoTime();
            if (timeoutNanos > 0) {
                fireBy(headStartNanos + timeoutNanos);
            }
        }
        return n;
    }

    private void arm(long nanos) {
        // XNIO timers have millisecond resolution: round up so an early firing never spins.
        long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999));
        try {
            timer = connection.getIoThread().executeAfter(this, millis, TimeUnit.MILLISECONDS);
            timerDueNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        } catch (RejectedExecutionException stopping) {
            // The IO thread is terminating (server stop): its connections close with it.
            timer = null;
        }
    }

    @Override
    public void run() {
        timer = null;
        if (inExchange || !connection.isOpen()) {
            return;
        }
        if (!headPending) {
            if (idleNanos <= 0) {
                return;
            }
            long idleLeft = idleSinceNanos + idleNanos - System.nanoTime();
            if (idleLeft > 0) {
                arm(idleLeft);
                return;
            }
            LOG.debug("Closing {}: idle for {} ms", connection.getPeerAddress(), TimeUnit.NANOSECONDS.toMillis(idleNanos));
            IoUtils.safeClose(connection);
            return;
        }
        if (timeoutNanos <= 0) {
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
            socket.write(ByteBuffer.wrap(ConnectionRefusal.bytes(408)));
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
