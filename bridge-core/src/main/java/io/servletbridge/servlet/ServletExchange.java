package io.servletbridge.servlet;

import io.servletbridge.http.BadMessageException;
import io.servletbridge.http.HttpDate;
import io.servletbridge.spi.Exchange;
import io.servletbridge.spi.ExchangeEvents;
import io.servletbridge.spi.HttpFields;
import io.servletbridge.spi.RequestHead;
import io.servletbridge.spi.ResponseHead;
import io.servletbridge.spi.WriteCallback;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequestEvent;
import jakarta.servlet.ServletRequestListener;
import jakarta.servlet.UnavailableException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request's journey through the container. The loop hands it body events; a worker runs it: map, filter,
 * serve, then finish the response exactly once (or abort it when it cannot be finished honestly).
 */
final class ServletExchange implements ExchangeEvents, Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ServletExchange.class);
    private static final AtomicLong IDS = new AtomicLong();

    private final ServletContainer container;
    private final Exchange spi;
    private final RequestHead head;
    private final RequestBodyStream body;
    private final BridgeRequest request;
    private final BridgeResponse response;
    private final long id = IDS.incrementAndGet();
    private volatile boolean closed;
    private volatile boolean ended;
    private boolean aborted;

    ServletExchange(ServletContainer container, Exchange spi) {
        this.container = container;
        this.spi = spi;
        this.head = spi.request();
        this.body = new RequestBodyStream(spi, head.hasBody(), this::beforeFirstRead);
        this.request = new BridgeRequest(this, head, body);
        this.response = new BridgeResponse(this, container.bridgeContext().config().responseBufferSize());
    }

    Exchange spi() {
        return spi;
    }

    BridgeServletContext context() {
        return container.bridgeContext();
    }

    /** Whether the server is stopping, so the connection should not carry another request. */
    boolean serverStopping() {
        return container.stopping();
    }

    BridgeRequest request() {
        return request;
    }

    String id() {
        return Long.toString(id);
    }

    /**
     * Request and response objects are dead once their exchange ended: a background task that kept them gets a
     * clear error instead of reading or writing someone else's exchange.
     */
    void checkActive() {
        if (ended) {
            throw new IllegalStateException("The request " + head.method() + " " + head.target()
                    + " has completed; copy what a background task needs from it before submitting the task");
        }
    }

    /** Whether the current dispatch is an include (whose response changes the spec says to ignore). */
    boolean including() {
        return false;
    }

    // Loop thread

    @Override
    public void onBodyData(ByteBuffer chunk) {
        body.onData(chunk);
    }

    @Override
    public void onBodyEnd() {
        body.onEnd();
    }

    @Override
    public void onClosed(Throwable cause) {
        closed = true;
        body.onClosed(cause);
        response.stream().onClosed(cause);
    }

    /** The worker pool said no: answer 503 from the loop thread, without touching application code. */
    void rejectOverloaded() {
        DirectResponse.send(spi, 503, "the server is busy, retry later", false, "Retry-After", "1");
    }

    /** Sends {@code 100 Continue} when the client waits for it, at the first read, as RFC 9110 intends. */
    private void beforeFirstRead() {
        if (head.isHttp11() && !response.isCommitted()
                && "100-continue".equalsIgnoreCase(head.headers().get("Expect"))) {
            spi.sendContinue();
        }
    }

    // Worker thread

    @Override
    public void run() {
        BridgeServletContext ctx = container.bridgeContext();
        List<ServletRequestListener> listeners = ctx.requestListeners;
        int initializedListeners = 0;
        try {
            String path = request.resolvePath(ctx.getContextPath());
            if (path == null) {
                response.resetForError(404, null);
                return;
            }
            ServletMapper.Match match = container.mapper().map(path);
            request.setMatch(match);
            FilterChain chain = container.chainFor(path, match);
            if (!listeners.isEmpty()) {
                ServletRequestEvent ev = new ServletRequestEvent(ctx, request);
                for (ServletRequestListener l : listeners) {
                    l.requestInitialized(ev);
                    initializedListeners++;
                }
            }
            chain.doFilter(request, response);
        } catch (Throwable t) {
            fail(t);
        } finally {
            if (initializedListeners > 0) {
                ServletRequestEvent ev = new ServletRequestEvent(ctx, request);
                for (int i = initializedListeners - 1; i >= 0; i--) {
                    try {
                        listeners.get(i).requestDestroyed(ev);
                    } catch (RuntimeException | Error e) {
                        LOG.warn("ServletRequestListener {} failed in requestDestroyed", listeners.get(i), e);
                    }
                }
            }
            complete();
        }
    }

    private void fail(Throwable t) {
        Throwable root = rootCause(t);
        if (closed) {
            LOG.debug("{} {}: client went away: {}", head.method(), head.target(), root.toString());
            abort(t);
            return;
        }
        int status;
        int retryAfter = -1;
        if (root instanceof BadMessageException bad) {
            status = bad.status();
            LOG.debug("{} {}: {} {}", head.method(), head.target(), status, bad.getMessage());
        } else if (root instanceof UnavailableException u) {
            // Spec 2.3.3.2: out of service for good is a 404; for a while, a 503 saying how long.
            status = u.isPermanent() ? 404 : 503;
            retryAfter = u.isPermanent() ? -1 : Math.max(1, u.getUnavailableSeconds());
            LOG.warn("{} {}: servlet unavailable: {}", head.method(), head.target(), u.getMessage());
        } else {
            status = 500;
            LOG.error("{} {} failed", head.method(), head.target(), t);
        }
        if (response.stream().isCommitted()) {
            // Too late for an error page: cut the connection so the client sees a broken message, never a
            // short one that looks whole.
            abort(t);
        } else {
            response.resetForError(status, root instanceof BadMessageException ? root.getMessage() : null);
            if (retryAfter > 0) {
                response.errorHeader("Retry-After", Integer.toString(retryAfter));
            }
        }
    }

    private static Throwable rootCause(Throwable t) {
        Throwable cur = t;
        while (cur instanceof ServletException se && se.getRootCause() != null && se.getRootCause() != cur) {
            cur = se.getRootCause();
        }
        return cur;
    }

    private void abort(Throwable cause) {
        aborted = true;
        spi.abort(cause);
    }

    private void complete() {
        if (!aborted) {
            try {
                response.finish();
            } catch (IOException | RuntimeException e) {
                LOG.debug("{} {}: response could not be finished: {}", head.method(), head.target(), e.toString());
                spi.abort(e);
            }
        }
        body.discard();
        ended = true;
    }
}
