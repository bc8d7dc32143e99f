package io.servletbridge.servlet;

import io.servletbridge.ContextConfigurer;
import io.servletbridge.background.BackgroundTasks;
import io.servletbridge.background.TaskRunner;
import io.servletbridge.http.RequestHeadRules;
import io.servletbridge.spi.ExchangeHandler;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A servlet context and what serving it takes: initialization in the spec's order, the request path, and
 * destruction. Internal: users build one through {@link io.servletbridge.ServletBridge}.
 */
public final class ServletContainer {
    private final ContainerConfig config;
    private final BridgeServletContext context;
    private final List<ServletContextListener> initializedListeners = new ArrayList<>();
    private ServletMapper mapper;
    private List<FilterMapping> filterMappings = List.of();
    private boolean destroyed;
    private volatile boolean stopping;

    public ServletContainer(ContainerConfig config) {
        this.config = config;
        this.context = new BridgeServletContext(config);
    }

    /** The servlet context. */
    public jakarta.servlet.ServletContext context() {
        return context;
    }

    BridgeServletContext bridgeContext() {
        return context;
    }

    ServletMapper mapper() {
        return mapper;
    }

    /**
     * Runs the configurers, tells context listeners, initializes every filter and the load-on-startup servlets in
     * order. Any failure stops the start: a half-initialized application is not served (Jetty's choice; Tomcat
     * by default serves on and marks the servlet unavailable, which hides the failure behind 503s).
     */
    public void initialize() throws ServletException {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(config.classLoader());
        try {
            for (ContextConfigurer c : config.configurers()) {
                c.configure(context);
            }
            ServletContextEvent event = new ServletContextEvent(context);
            for (ServletContextListener l : context.contextListeners) {
                try {
                    l.contextInitialized(event);
                } catch (RuntimeException | Error e) {
                    throw new ServletException("ServletContextListener " + l.getClass().getName()
                            + " failed in contextInitialized: " + e, e);
                }
                initializedListeners.add(l);
            }
            context.markInitialized();
            mapper = new ServletMapper(context.servletHolders().values());
            filterMappings = List.copyOf(context.filterMappings());
            for (FilterHolder f : context.filterHolders().values()) {
                try {
                    f.init();
                } catch (ServletException | RuntimeException e) {
                    throw new ServletException("Filter '" + f.getName() + "' failed to initialize: " + e, e);
                }
            }
            List<ServletHolder> startup = new ArrayList<>();
            for (ServletHolder h : context.servletHolders().values()) {
                if (h.loadOnStartupValue() >= 0) {
                    startup.add(h);
                }
            }
            startup.sort(Comparator.comparingInt(ServletHolder::loadOnStartupValue)
                    .thenComparingInt(ServletHolder::order));
            for (ServletHolder h : startup) {
                try {
                    h.servlet();
                } catch (ServletException | RuntimeException e) {
                    throw new ServletException("Servlet '" + h.getName() + "' failed to initialize: " + e, e);
                }
            }
        } finally {
            t.setContextClassLoader(previous);
        }
    }

    /**
     * The server is stopping: requests that arrive from now on get 503 with {@code Connection: close}, and
     * responses committed from now on close their connection.
     */
    public void beginStopping() {
        stopping = true;
    }

    boolean stopping() {
        return stopping;
    }

    /** What the loop calls for each request: hand it to a worker, or answer 503 when none is free. */
    public ExchangeHandler handler() {
        return exchange -> {
            String problem = RequestHeadRules.problem(exchange.request());
            if (problem != null) {
                exchange.start(DirectResponse.IGNORE_EVENTS);
                DirectResponse.send(exchange, 400, problem, true);
                return;
            }
            if (stopping) {
                exchange.start(DirectResponse.IGNORE_EVENTS);
                DirectResponse.send(exchange, 503, "the server is shutting down", true);
                return;
            }
            if ("*".equals(exchange.request().target())) {
                // OPTIONS * asks about the server, not a resource (RFC 9110 9.3.7), so no servlet is asked; the
                // loops let the asterisk-form through only with OPTIONS. Tomcat answers with this same list.
                exchange.start(DirectResponse.IGNORE_EVENTS);
                DirectResponse.send(exchange, 200, "the server supports these methods", false,
                        "Allow", "GET, HEAD, POST, PUT, DELETE, OPTIONS");
                return;
            }
            ServletExchange se = new ServletExchange(this, exchange);
            exchange.start(se);
            if (!se.handOverWithBufferedBody()) {
                dispatch(se);
            }
        };
    }

    /** On the loop thread: to a worker, or 503 when none is free. */
    void dispatch(ServletExchange se) {
        if (!config.workers().tryExecute(se, config.classLoader(), se.spi().loop())) {
            se.rejectOverloaded();
        }
    }

    /** The filters that apply to this dispatch type and path, ending in the mapped servlet. */
    FilterChain chainFor(DispatcherType type, String path, ServletMapper.Match match, BridgeRequest request) {
        String servletName = match == null ? null : match.holder().getName();
        List<FilterHolder> chain = null;
        // URL-pattern mappings first, then servlet-name mappings, each in declaration order (spec 6.2.4).
        for (int pass = 0; pass < 2; pass++) {
            for (FilterMapping m : filterMappings) {
                boolean byName = m.servletName() != null;
                if ((pass == 1) == byName && m.appliesTo(type, path, servletName)) {
                    if (chain == null) {
                        chain = new ArrayList<>(4);
                    }
                    chain.add(m.holder());
                }
            }
        }
        FilterHolder[] filters = chain == null ? NO_FILTERS : chain.toArray(NO_FILTERS);
        return new ServletFilterChain(filters, match == null ? null : match.holder(), request);
    }

    private static final FilterHolder[] NO_FILTERS = new FilterHolder[0];

    /**
     * Runs container work on a request worker or, when they are all busy, on the background executor. Never blocks.
     *
     * @return false when neither could take it
     */
    boolean executeOnContainerThread(Runnable work) {
        if (config.workers().tryExecute(work, config.classLoader())) {
            return true;
        }
        Object tasks = context.getAttribute(BackgroundTasks.ATTRIBUTE);
        return tasks instanceof TaskRunner runner && runner.offer(work);
    }

    /** Destroys servlets and filters, then tells context listeners in reverse order. Idempotent. */
    public void destroy() {
        if (destroyed) {
            return;
        }
        destroyed = true;
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(config.classLoader());
        try {
            List<ServletHolder> servlets = new ArrayList<>(context.servletHolders().values());
            servlets.sort(Comparator.comparingInt(ServletHolder::order).reversed());
            for (ServletHolder h : servlets) {
                h.destroy();
            }
            List<FilterHolder> filters = new ArrayList<>(context.filterHolders().values());
            for (int i = filters.size() - 1; i >= 0; i--) {
                filters.get(i).destroy();
            }
            ServletContextEvent event = new ServletContextEvent(context);
            for (int i = initializedListeners.size() - 1; i >= 0; i--) {
                try {
                    initializedListeners.get(i).contextDestroyed(event);
                } catch (RuntimeException | Error e) {
                    context.logger().warn("ServletContextListener {} failed in contextDestroyed",
                            initializedListeners.get(i).getClass().getName(), e);
                }
            }
        } finally {
            t.setContextClassLoader(previous);
        }
    }
}
