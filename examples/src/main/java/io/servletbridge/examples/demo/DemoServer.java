package io.servletbridge.examples.demo;

import io.servletbridge.BridgeServer;
import io.servletbridge.Loop;
import io.servletbridge.ServletBridge;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpServlet;
import java.net.URI;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo web app: a blocking-style servlet app that uses async servlets and background tasks where a Flask app
 * would use {@code async def} views and {@code asyncio} tasks.
 *
 * <ul>
 *   <li>{@code GET /} — a page with a button for each feature below;</li>
 *   <li>{@code GET /api/report} — three database queries run at the same time, answered together;</li>
 *   <li>{@code GET /api/external} — a call to an external API without a thread waiting for it;</li>
 *   <li>{@code GET /stand-in/api} — a slow stand-in for that API, also holding no thread while it waits;</li>
 *   <li>{@code POST /api/jobs}, {@code GET /api/jobs/{id}} — a job that outlives the request that started it.</li>
 * </ul>
 *
 * <pre>java -jar examples/target/servlet-bridge-examples-all.jar [netty|undertow] [port] [--api-url=URL]
 *     [--stand-in-delay=ms] [--host=ADDRESS]</pre>
 */
public final class DemoServer {
    private DemoServer() {
    }

    /**
     * Starts the demo app.
     *
     * @param port the TCP port, or 0 for a free one ({@link BridgeServer#port()})
     */
    public static BridgeServer start(Loop loop, int port, DemoOptions options) {
        return ServletBridge.builder()
                .loop(loop)
                .host(options.host())
                .port(port)
                .displayName("servlet-bridge-demo")
                .configure(ctx -> install(ctx, options))
                .start();
    }

    private static void install(ServletContext ctx, DemoOptions options) throws ServletException {
        ShopDatabase database;
        try {
            database = ShopDatabase.open(options.queryLatency());
        } catch (SQLException e) {
            throw new ServletException("Cannot create the demo database", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServletException("Interrupted while creating the demo database", e);
        }
        // Closed after the stop has drained background tasks, so no report query loses its connection midway.
        ctx.addListener(new ServletContextListener() {
            @Override
            public void contextDestroyed(ServletContextEvent event) {
                database.close();
            }
        });
        add(ctx, "page", new PageServlet("demo/index.html", "text/html;charset=utf-8"), false, "");
        add(ctx, "report", new ReportServlet(database), true, "/api/report");
        add(ctx, "external", new ExternalApiServlet(options), true, "/api/external");
        add(ctx, "stand-in", new StandInApiServlet(options.standInDelay()), true, "/stand-in/api");
        add(ctx, "jobs", new JobsServlet(new JobRegistry(options.jobStep())), false, "/api/jobs", "/api/jobs/*");
    }

    private static void add(ServletContext ctx, String name, HttpServlet servlet, boolean async, String... patterns)
            throws ServletException {
        ServletRegistration.Dynamic registration = ctx.addServlet(name, servlet);
        if (registration == null) {
            throw new ServletException("Duplicate servlet name '" + name + "'");
        }
        registration.setAsyncSupported(async);
        registration.addMapping(patterns);
    }

    /**
     * Runs the demo until the JVM is stopped; SIGTERM or Ctrl-C stops it gracefully (requests in progress and
     * running jobs get up to 10 seconds).
     */
    public static void main(String[] args) throws InterruptedException {
        Loop loop = Loop.NETTY;
        int port = 8080;
        DemoOptions options = DemoOptions.defaults();
        List<String> positional = new ArrayList<>();
        try {
            for (String arg : args) {
                if (arg.startsWith("--api-url=")) {
                    options = options.withApiUrl(URI.create(value(arg)));
                } else if (arg.startsWith("--stand-in-delay=")) {
                    options = options.withStandInDelay(Duration.ofMillis(Long.parseLong(value(arg))));
                } else if (arg.startsWith("--host=")) {
                    options = options.withHost(value(arg));
                } else if (arg.startsWith("--")) {
                    throw new IllegalArgumentException("unknown option " + arg);
                } else {
                    positional.add(arg);
                }
            }
            if (positional.size() > 2) {
                throw new IllegalArgumentException("too many arguments: " + positional);
            }
            if (!positional.isEmpty()) {
                loop = Loop.of(positional.get(0));
            }
            if (positional.size() > 1) {
                port = Integer.parseInt(positional.get(1));
            }
        } catch (IllegalArgumentException e) {
            System.err.println("Error: " + e.getMessage());
            System.err.println("Usage: DemoServer [netty|undertow] [port] [--api-url=URL] [--stand-in-delay=ms]"
                    + " [--host=ADDRESS]");
            System.exit(2);
            return;
        }
        BridgeServer server = start(loop, port, options);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(Duration.ofSeconds(10)), "demo-shutdown"));
        System.out.println("Demo on http://" + hostForUrl(options.host()) + ":" + server.port() + "/ (" + loop
                + "); external API: " + (options.apiUrl() != null ? options.apiUrl() : "the built-in stand-in")
                + "; Ctrl-C stops");
        Thread.currentThread().join();
    }

    private static String value(String arg) {
        return arg.substring(arg.indexOf('=') + 1);
    }

    private static String hostForUrl(String host) {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }
}
