package io.servletbridge.undertow;

import io.servletbridge.spi.BodyChunk;
import io.servletbridge.spi.Exchange;
import io.servletbridge.spi.ExchangeEvents;
import io.servletbridge.spi.ExchangeHandler;
import io.servletbridge.spi.RequestHead;
import io.servletbridge.spi.ResponseHead;
import io.servletbridge.spi.WriteCallback;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.AbstractServerConnection;
import io.undertow.server.HttpServerExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.XnioIoThread;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The bridge's view of one Undertow exchange. Every call hops onto the connection's IO thread, and all state is
 * confined there, so nothing here is synchronized.
 *
 * <p>Calls are always queued, even when made on the IO thread itself: an answer then never arrives inside the call
 * that asked for it, and calls are applied in the order they were made.
 */
final class UndertowExchange implements Exchange {

    private static final Logger LOG = LoggerFactory.getLogger(UndertowExchange.class);

    private final HttpServerExchange exchange;
    private final XnioIoThread ioThread;
    private final RequestHead request;
    private final ScheduledExecutorService loop;
    private final RequestBodyReader body;
    private final ResponseWriter response;
    private final ValidatingSourceConduit guard;
    /** Written once by start(), which the bridge may call from any thread. */
    private volatile ExchangeEvents events;
    private boolean ended;

    UndertowExchange(HttpServerExchange exchange, RequestHead request, ScheduledExecutorService loop,
                     long unreadBodyDrain, ValidatingSourceConduit guard) {
        this.exchange = exchange;
        this.guard = guard;
        this.ioThread = exchange.getIoThread();
        this.request = request;
        this.loop = loop;
        this.body = new RequestBodyReader(this, exchange, request.contentLength(), unreadBodyDrain);
        this.response = new ResponseWriter(this, exchange, body);
    }

    @Override
    public RequestHead request() {
        return request;
    }

    @Override
    public void start(ExchangeEvents events) {
        this.events = Objects.requireNonNull(events, "events");
    }

    @Override
    public void demand() {
        onLoop(body::demand);
    }

    @Override
    public java.util.List<BodyChunk> takeBufferedBody() {
        long length = request.contentLength();
        if (length <= 0 || Thread.currentThread() != ioThread || ended || !body.untouched()
                || !(exchange.getConnection() instanceof AbstractServerConnection)) {
            return null;
        }
        // What the parser read past the head; the request channel reads from it before touching the socket.
        PooledByteBuffer extra = ((AbstractServerConnection) exchange.getConnection()).getExtraBytes();
        if (extra == null || extra.getBuffer().remaining() < length) {
            return null;
        }
        return body.readBuffered();
    }

    @Override
    public void sendContinue() {
        onLoop(response::sendContinue);
    }

    @Override
    public void write(ResponseHead head, ByteBuffer data, boolean last, WriteCallback callback) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(callback, "callback");
        if (!onLoop(() -> {
            if (head != null) {
                guard.responseStarted();
            }
            response.enqueue(head, data, last, callback);
        })) {
            // No loop left to answer on: the server stopped, and the connection with it.
            notify(callback, new IOException("the server loop has stopped"));
        }
    }

    @Override
    public void writeFile(ResponseHead head, java.nio.channels.FileChannel file, long position, long count,
                          boolean last, WriteCallback callback) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(callback, "callback");
        if (!onLoop(() -> {
            if (head != null) {
                guard.responseStarted();
            }
            response.enqueueFile(head, file, position, count, last, callback);
        })) {
            IoUtils.safeClose(file);
            notify(callback, new IOException("the server loop has stopped"));
        }
    }

    @Override
    public void abort(Throwable cause) {
        onLoop(() -> {
            response.pumpDeferred();
            fail(cause != null ? cause : new IOException("exchange aborted"));
        });
    }

    @Override
    public ScheduledExecutorService loop() {
        return loop;
    }

    /** Runs the bridge's handler; called on the IO thread right after Undertow's handler returned. */
    void handOver(ExchangeHandler bridge) {
        try {
            bridge.handle(this);
        } catch (Throwable t) {
            LOG.warn("The bridge's exchange handler threw; closing the connection", t);
            fail(t);
            return;
        }
        if (!ended) {
            ConnectionWatch.watchForReset(exchange);
        }
    }

    private boolean onLoop(Runnable task) {
        try {
            ioThread.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    // ---- lifecycle, IO thread only ----

    boolean ended() {
        return ended;
    }

    /**
     * The last write reached the socket: the exchange completed. Its callback is told, then whatever body the
     * application left unread is drained or the connection cut.
     */
    void completed(WriteCallback lastWrite) {
        ended = true;
        notify(lastWrite, null);
        body.afterResponse();
    }

    /**
     * The exchange cannot go on. Tells the bridge once (answering any outstanding demand), fails every write not
     * yet done, and closes the connection so the client sees the response cut short.
     */
    void fail(Throwable cause) {
        if (ended) {
            return;
        }
        ended = true;
        ExchangeEvents listener = events;
        if (listener != null) {
            try {
                listener.onClosed(cause);
            } catch (RuntimeException e) {
                LOG.warn("ExchangeEvents.onClosed threw", e);
            }
        }
        response.failPending(cause);
        IoUtils.safeClose(exchange.getConnection());
    }

    /**
     * Told by the connection's close listener, or when Undertow ended its exchange. Deferred by one task because
     * Undertow closes the connection itself before a read or write fails with the real reason (a malformed chunk,
     * say), and that reason should win; and because Undertow ends an exchange we completed inside the flush that
     * completes ours, which by then has ended and ignores this.
     */
    void connectionClosed() {
        Runnable closed = () -> fail(new IOException("connection closed"));
        if (!onLoop(closed)) {
            closed.run();
        }
    }

    /** Returns whether the bridge wants the next piece at once. */
    boolean deliverData(BodyChunk chunk) {
        try {
            return events.onBodyData(chunk);
        } catch (RuntimeException e) {
            LOG.warn("ExchangeEvents.onBodyData threw; aborting the exchange", e);
            fail(e);
            return false;
        }
    }

    void deliverEnd() {
        try {
            events.onBodyEnd();
        } catch (RuntimeException e) {
            LOG.warn("ExchangeEvents.onBodyEnd threw; aborting the exchange", e);
            fail(e);
        }
    }

    static void notify(WriteCallback callback, Throwable failure) {
        try {
            callback.done(failure);
        } catch (RuntimeException e) {
            LOG.warn("WriteCallback threw", e);
        }
    }
}
