package io.servletbridge;

import io.servletbridge.background.BackgroundTasks;
import io.servletbridge.background.TaskRunner;
import io.servletbridge.offload.WorkerPool;
import io.servletbridge.servlet.ContainerConfig;
import io.servletbridge.servlet.ServletContainer;
import io.servletbridge.servlet.StaticFileServlet;
import io.servletbridge.spi.LoopConfig;
import io.servletbridge.spi.LoopProvider;
import io.servletbridge.spi.LoopServer;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRegistration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.EventListener;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point of the embedded API: builds a server that serves servlets on a non-blocking loop.
 *
 * <pre>{@code
 * BridgeServer server = ServletBridge.builder()
 *         .loop(Loop.NETTY)
 *         .port(8080)
 *         .servlet("hello", new HelloServlet(), "/hello")
 *         .start();
 * }</pre>
 */
public final class ServletBridge {
    private static final Logger LOG = LoggerFactory.getLogger(ServletBridge.class);

    private ServletBridge() {
    }

    /** A new builder with the defaults: Netty, 127.0.0.1, a free port, 200 worker threads, queue of 1000. */
    public static Builder builder() {
        return new Builder();
    }

    /** Collects the server's settings and the application's parts; {@link #start()} builds and starts it. */
    public static final class Builder {
        private Loop loop = Loop.NETTY;
        private LoopConfig loopConfig = LoopConfig.defaults();
        private int workers = 200;
        private int queue = 1000;
        private boolean virtualThreads;
        private int maxVirtualThreads = 10_000;
        private Executor executor;
        private int taskThreads;
        private int taskQueue;
        private int maxVirtualTasks;
        private String contextPath = "";
        private String displayName = "servlet-bridge";
        private int responseBufferSize = 8192;
        private int maxFormContentSize = 2 * 1024 * 1024;
        private int maxParameterCount = 1000;
        private ClassLoader classLoader;
        private Duration shutdownHookGrace;
        private Duration requestTimeout;
        private final Map<String, String> initParameters = new LinkedHashMap<>();
        private final List<ContextConfigurer> configurers = new ArrayList<>();

        private Builder() {
        }

        /** Which server loop to run on (default Netty). */
        public Builder loop(Loop loop) {
            this.loop = Objects.requireNonNull(loop);
            return this;
        }

        /** The interface to bind (default {@code 127.0.0.1}; {@code 0.0.0.0} for all). */
        public Builder host(String host) {
            loopConfig = loopConfig.withHost(host);
            return this;
        }

        /** The TCP port (default 0: a free one, see {@link BridgeServer#port()}). */
        public Builder port(int port) {
            loopConfig = loopConfig.withPort(port);
            return this;
        }

        /** Loop (I/O) threads; 0 (default) means one per core. */
        public Builder ioThreads(int threads) {
            loopConfig = loopConfig.withIoThreads(threads);
            return this;
        }

        /**
         * Closes connections idle between requests for this long (default 60 s), silently. A request in progress is
         * never cut by it, however long the servlet thinks.
         */
        public Builder idleTimeout(Duration timeout) {
            loopConfig = loopConfig.withIdleTimeout(timeout);
            return this;
        }

        /**
         * How long a request head (request line and header fields) may take to arrive once its first byte has
         * (default 20 s, Tomcat's {@code connectionTimeout}). Past it the client gets {@code 408 Request Timeout}
         * and the connection is closed: a client trickling a head a byte at a time ("slowloris") holds a connection
         * for no longer than this. Zero switches it off.
         */
        public Builder headerTimeout(Duration timeout) {
            loopConfig = loopConfig.withHeaderTimeout(timeout);
            return this;
        }

        /**
         * How long a reader of the request body may wait without receiving a byte (default 30 s, Jetty's
         * {@code idleTimeout}, which bounds its blocking reads). Past it {@code ServletInputStream.read} throws
         * {@link java.net.SocketTimeoutException} (a {@code ReadListener} gets it in {@code onError}), the
         * connection is closed after the response, and an exception that leaves the servlet before the response is
         * committed becomes {@code 408 Request Timeout} (as in Tomcat). Zero switches it off.
         */
        public Builder bodyReadTimeout(Duration timeout) {
            loopConfig = loopConfig.withBodyReadTimeout(timeout);
            return this;
        }

        /**
         * Open connections above which the server stops accepting (default 16,384); further clients wait in the
         * TCP backlog, not refused, until a connection closes (Tomcat's {@code maxConnections}).
         */
        public Builder maxConnections(int connections) {
            if (connections < 1) {
                throw new IllegalArgumentException("maxConnections must be at least 1: " + connections);
            }
            loopConfig = loopConfig.withMaxConnections(connections);
            return this;
        }

        /** All loop limits at once, for settings without a builder method of their own. */
        public Builder loopConfig(LoopConfig config) {
            this.loopConfig = Objects.requireNonNull(config);
            return this;
        }

        /**
         * A fixed pool of platform worker threads with a bounded queue; a request that finds both full gets 503 with
         * {@code Retry-After}.
         */
        public Builder workers(int threads, int queueCapacity) {
            this.workers = threads;
            this.queue = queueCapacity;
            this.virtualThreads = false;
            this.executor = null;
            return this;
        }

        /**
         * Runs each request on its own virtual thread (JDK 21+), at most {@code maxConcurrent} at once. On an older
         * JDK {@link #start()} fails with a clear message.
         */
        public Builder virtualThreads(int maxConcurrent) {
            this.virtualThreads = true;
            this.maxVirtualThreads = maxConcurrent;
            this.executor = null;
            return this;
        }

        /** Runs requests on the caller's executor; it signals saturation by throwing RejectedExecutionException. */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor);
            this.virtualThreads = false;
            return this;
        }

        /**
         * Runs {@link BackgroundTasks} on a pool of platform threads with a bounded queue. The default is virtual
         * threads on JDK 21+ (at most 10,000 tasks) and otherwise {@code max(4, 2 x cores)} threads with a queue of
         * 10,000.
         */
        public Builder backgroundTasks(int threads, int queueCapacity) {
            this.taskThreads = threads;
            this.taskQueue = queueCapacity;
            this.maxVirtualTasks = 0;
            return this;
        }

        /** Runs each {@link BackgroundTasks} task on its own virtual thread (JDK 21+), at most this many at once. */
        public Builder backgroundVirtualThreads(int maxConcurrent) {
            this.maxVirtualTasks = maxConcurrent;
            this.taskThreads = 0;
            return this;
        }

        /** The context path, {@code ""} (default) for the root or e.g. {@code /app}. */
        public Builder contextPath(String path) {
            this.contextPath = path;
            return this;
        }

        public Builder displayName(String name) {
            this.displayName = name;
            return this;
        }

        /** The default response buffer size in bytes (default 8192). */
        public Builder responseBufferSize(int bytes) {
            this.responseBufferSize = bytes;
            return this;
        }

        /** The largest {@code application/x-www-form-urlencoded} body parsed into parameters (default 2 MiB). */
        public Builder maxFormContentSize(int bytes) {
            this.maxFormContentSize = bytes;
            return this;
        }

        /** The most request parameters (query plus form) one request may carry (default 1000). */
        public Builder maxParameterCount(int count) {
            this.maxParameterCount = count;
            return this;
        }

        /**
         * Stops the server gracefully when the JVM is asked to exit (SIGTERM, Ctrl-C, {@code System.exit}): a JVM
         * shutdown hook calls {@link BridgeServer#stop(Duration)} with this grace period.
         */
        public Builder stopOnShutdown(Duration grace) {
            this.shutdownHookGrace = Objects.requireNonNull(grace);
            return this;
        }

        /**
         * The longest a dispatch (the filter chain and servlet running on a worker for one request, or for one
         * {@code AsyncContext.dispatch}) may take. Off by default, as in Tomcat and Jetty, which have no such limit
         * either; {@code null} or zero turns it off.
         *
         * <p>When a dispatch runs longer, the container answers for it: 503 with {@code Connection: close} if the
         * response is not committed yet, otherwise the connection is cut so the client sees a truncated response.
         * It then interrupts the worker thread, logs one warning with the stuck thread's stack, and from then on
         * every call the application makes on that request or response fails (writes and reads throw
         * {@link java.io.IOException}, other methods {@link IllegalStateException}). A thread cannot be killed:
         * the worker stays occupied until the servlet really returns, so a servlet that ignores interrupts still
         * holds a worker. The wait of an async request between dispatches is not covered: that is the
         * {@code AsyncContext} timeout's job.
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = timeout;
            return this;
        }

        /** The class loader application code runs with (default: this thread's context class loader). */
        public Builder classLoader(ClassLoader loader) {
            this.classLoader = loader;
            return this;
        }

        /** A context init parameter. */
        public Builder initParameter(String name, String value) {
            initParameters.put(name, value);
            return this;
        }

        /** Adds a servlet instance under {@code name}, mapped to the given URL patterns. */
        public Builder servlet(String name, Servlet servlet, String... urlPatterns) {
            configurers.add(ctx -> {
                ServletRegistration.Dynamic r = ctx.addServlet(name, servlet);
                if (r == null) {
                    throw new ServletException("Duplicate servlet name '" + name + "'");
                }
                mapServlet(r, urlPatterns);
            });
            return this;
        }

        /** Adds a servlet class (instantiated by the container) under {@code name}, mapped to the URL patterns. */
        public Builder servlet(String name, Class<? extends Servlet> servletClass, String... urlPatterns) {
            configurers.add(ctx -> {
                ServletRegistration.Dynamic r = ctx.addServlet(name, servletClass);
                if (r == null) {
                    throw new ServletException("Duplicate servlet name '" + name + "'");
                }
                mapServlet(r, urlPatterns);
            });
            return this;
        }

        /**
         * Serves the files under {@code directory} at the given URL patterns ({@code /} for the whole site,
         * {@code /assets/*} for a prefix) with a {@link StaticFileServlet}; the directory must exist now.
         */
        public Builder staticFiles(java.nio.file.Path directory, String... urlPatterns) {
            StaticFileServlet files = new StaticFileServlet(directory);
            return servlet("static:" + String.join(",", urlPatterns), files, urlPatterns);
        }

        /** Adds a filter for REQUEST dispatches to the given URL patterns, after those added before it. */
        public Builder filter(String name, Filter filter, String... urlPatterns) {
            configurers.add(ctx -> {
                FilterRegistration.Dynamic r = ctx.addFilter(name, filter);
                if (r == null) {
                    throw new ServletException("Duplicate filter name '" + name + "'");
                }
                r.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, urlPatterns);
            });
            return this;
        }

        /** Adds a listener (any of the servlet listener interfaces). */
        public Builder listener(EventListener listener) {
            configurers.add(ctx -> ctx.addListener(listener));
            return this;
        }

        /** Runs {@code configurer} against the servlet context while it initializes, for the full programmatic API. */
        public Builder configure(ContextConfigurer configurer) {
            configurers.add(Objects.requireNonNull(configurer));
            return this;
        }

        private static void mapServlet(ServletRegistration.Dynamic r, String[] patterns) {
            if (patterns.length > 0) {
                java.util.Set<String> conflicts = r.addMapping(patterns);
                if (!conflicts.isEmpty()) {
                    throw new IllegalArgumentException("URL patterns already mapped to another servlet: " + conflicts);
                }
            }
        }

        /**
         * Initializes the application (listeners, filters, load-on-startup servlets) and starts the loop.
         *
         * @throws IllegalStateException with the cause when the application fails to initialize or the port cannot
         *                               be bound; nothing is left running then
         */
        public BridgeServer start() {
            LoopProvider provider = findProvider(loop);
            WorkerPool pool;
            if (executor != null) {
                pool = WorkerPool.of(executor);
            } else if (virtualThreads) {
                pool = WorkerPool.virtualThreads(maxVirtualThreads);
            } else {
                pool = WorkerPool.threads(workers, queue);
            }
            ClassLoader loader = classLoader != null ? classLoader : Thread.currentThread().getContextClassLoader();
            TaskRunner tasks;
            try {
                tasks = maxVirtualTasks > 0 ? TaskRunner.virtualThreads(displayName, maxVirtualTasks)
                        : taskThreads > 0 ? TaskRunner.threads(displayName, taskThreads, taskQueue)
                        : TaskRunner.defaults(displayName);
            } catch (RuntimeException e) {
                pool.shutdown(Duration.ZERO);
                throw new IllegalStateException("Cannot create the background task executor: " + e.getMessage(), e);
            }
            ContainerConfig config = new ContainerConfig(contextPath, displayName, loader, pool, responseBufferSize,
                    maxFormContentSize, maxParameterCount, initParameters, List.copyOf(configurers),
                    loopConfig.bodyReadTimeout(), requestTimeout);
            ServletContainer container = new ServletContainer(config);
            container.context().setAttribute(BackgroundTasks.ATTRIBUTE, tasks);
            try {
                container.initialize();
            } catch (Exception | Error e) {
                tasks.drain(Duration.ZERO);
                container.destroy();
                pool.shutdown(Duration.ZERO);
                throw new IllegalStateException("The application failed to start: " + e.getMessage(), e);
            }
            LoopServer server;
            try {
                server = provider.start(loopConfig, container.handler());
            } catch (Exception e) {
                tasks.drain(Duration.ZERO);
                container.destroy();
                pool.shutdown(Duration.ZERO);
                throw new IllegalStateException("Could not start the " + loop + " loop on " + loopConfig.host() + ":"
                        + loopConfig.port() + ": " + e.getMessage(), e);
            }
            tasks.useLoopTimer(server.scheduler());
            tasks.registerMBean();
            LOG.info("servlet-bridge on {} listening on {}:{} (requests: {}; background tasks: {})", loop,
                    loopConfig.host(), server.port(), pool.describe(), tasks.describe());
            RunningServer running = new RunningServer(loop, server, container, pool, tasks);
            if (shutdownHookGrace != null) {
                Duration grace = shutdownHookGrace;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> running.stop(grace), "servlet-bridge-shutdown"));
            }
            return running;
        }

        private static LoopProvider findProvider(Loop loop) {
            for (LoopProvider p : ServiceLoader.load(LoopProvider.class, ServletBridge.class.getClassLoader())) {
                if (p.name().equalsIgnoreCase(loop.id())) {
                    return p;
                }
            }
            throw new IllegalStateException("No '" + loop + "' loop on the class path: add the bridge-" + loop.id()
                    + " module");
        }
    }

    private static final class RunningServer implements BridgeServer {
        private final Loop loop;
        private final LoopServer server;
        private final ServletContainer container;
        private final WorkerPool pool;
        private final TaskRunner tasks;
        private final AtomicBoolean stopped = new AtomicBoolean();

        RunningServer(Loop loop, LoopServer server, ServletContainer container, WorkerPool pool, TaskRunner tasks) {
            this.loop = loop;
            this.server = server;
            this.container = container;
            this.pool = pool;
            this.tasks = tasks;
        }

        @Override
        public int port() {
            return server.port();
        }

        @Override
        public Loop loop() {
            return loop;
        }

        @Override
        public jakarta.servlet.ServletContext servletContext() {
            return container.context();
        }

        @Override
        public void stop(Duration grace) {
            if (!stopped.compareAndSet(false, true)) {
                return;
            }
            long deadline = System.nanoTime() + grace.toNanos();
            // Requests first (they may still submit tasks), then the tasks, then the application's own teardown:
            // contextDestroyed must see no task still using what it is about to close.
            container.beginStopping();
            tasks.leaveLoopTimer();
            server.stop(grace);
            pool.shutdown(remaining(deadline));
            tasks.drain(remaining(deadline));
            container.destroy();
        }

        private static Duration remaining(long deadline) {
            return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
        }
    }
}
