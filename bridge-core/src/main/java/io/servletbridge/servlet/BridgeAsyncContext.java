package io.servletbridge.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's handle on an async request. It only records intent (complete, dispatch) and hands the work to
 * its exchange, which carries it out on a container thread once no other thread is inside the exchange.
 */
final class BridgeAsyncContext implements AsyncContext {
    private static final Logger LOG = LoggerFactory.getLogger(BridgeAsyncContext.class);
    /** The spec's suggested default, also Tomcat's and Jetty's. */
    static final long DEFAULT_TIMEOUT_MS = 30_000;

    private record Registered(AsyncListener listener, ServletRequest request, ServletResponse response) { }

    private final ServletExchange exchange;
    private final List<Registered> listeners = new CopyOnWriteArrayList<>();
    private volatile ServletRequest request;
    private volatile ServletResponse response;
    private volatile boolean original;
    private volatile long timeout = DEFAULT_TIMEOUT_MS;

    BridgeAsyncContext(ServletExchange exchange) {
        this.exchange = exchange;
    }

    /** A new async cycle: new request/response pair, and listeners told and forgotten (spec: they re-register). */
    void startCycle(ServletRequest req, ServletResponse resp, boolean originalPair) {
        this.request = req;
        this.response = resp;
        this.original = originalPair;
        List<Registered> previous = new ArrayList<>(listeners);
        listeners.clear();
        for (Registered r : previous) {
            try {
                r.listener.onStartAsync(new AsyncEvent(this, r.request, r.response));
            } catch (IOException | RuntimeException e) {
                LOG.warn("AsyncListener {} failed in onStartAsync", r.listener, e);
            }
        }
    }

    @Override
    public ServletRequest getRequest() {
        return request;
    }

    @Override
    public ServletResponse getResponse() {
        return response;
    }

    @Override
    public boolean hasOriginalRequestAndResponse() {
        return original;
    }

    @Override
    public void dispatch() {
        String path;
        if (request instanceof HttpServletRequest http && !original) {
            path = pathOf(http);
        } else {
            path = exchange.request().originalPathInContext();
        }
        String query = request instanceof HttpServletRequest http ? http.getQueryString() : null;
        exchange.asyncDispatch(query == null ? path : path + "?" + query);
    }

    private static String pathOf(HttpServletRequest r) {
        String sp = r.getServletPath();
        String pi = r.getPathInfo();
        return (sp == null ? "" : sp) + (pi == null ? "" : pi);
    }

    @Override
    public void dispatch(String path) {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("Async dispatch path must start with '/': " + path);
        }
        exchange.asyncDispatch(path);
    }

    @Override
    public void dispatch(ServletContext context, String path) {
        if (context != exchange.context()) {
            throw new IllegalArgumentException("Only dispatches within this servlet context are supported");
        }
        dispatch(path);
    }

    @Override
    public void complete() {
        exchange.asyncComplete();
    }

    @Override
    public void start(Runnable run) {
        exchange.startOnContainerThread(run);
    }

    @Override
    public void addListener(AsyncListener listener) {
        addListener(listener, request, response);
    }

    @Override
    public void addListener(AsyncListener listener, ServletRequest req, ServletResponse resp) {
        if (listener == null) {
            throw new IllegalArgumentException("listener is null");
        }
        exchange.checkAsyncCycleOpen();
        listeners.add(new Registered(listener, req, resp));
    }

    @Override
    public <T extends AsyncListener> T createListener(Class<T> type) throws ServletException {
        return exchange.context().instantiate(type);
    }

    @Override
    public void setTimeout(long ms) {
        exchange.checkTimeoutSettable();
        this.timeout = ms;
    }

    @Override
    public long getTimeout() {
        return timeout;
    }

    // Events, on a container thread

    void fireComplete() {
        for (Registered r : listeners) {
            try {
                r.listener.onComplete(new AsyncEvent(this, r.request, r.response));
            } catch (IOException | RuntimeException e) {
                LOG.warn("AsyncListener {} failed in onComplete", r.listener, e);
            }
        }
    }

    void fireTimeout() {
        for (Registered r : listeners) {
            try {
                r.listener.onTimeout(new AsyncEvent(this, r.request, r.response));
            } catch (IOException | RuntimeException e) {
                LOG.warn("AsyncListener {} failed in onTimeout", r.listener, e);
            }
        }
    }

    void fireError(Throwable cause) {
        for (Registered r : listeners) {
            try {
                r.listener.onError(new AsyncEvent(this, r.request, r.response, cause));
            } catch (IOException | RuntimeException e) {
                LOG.warn("AsyncListener {} failed in onError", r.listener, e);
            }
        }
    }
}
