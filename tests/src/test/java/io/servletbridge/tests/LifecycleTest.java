package io.servletbridge.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.servletbridge.Loop;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.ServletRequestEvent;
import jakarta.servlet.ServletRequestListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Servlet, filter and listener life cycles (Servlet 6.1 chapters 2.3, 6.2, 11). */
class LifecycleTest {

    /** Records init/destroy calls of a servlet under a name. */
    static class Recording extends HttpServlet {
        final String name;
        final List<String> events;
        final AtomicInteger inits = new AtomicInteger();

        Recording(String name, List<String> events) {
            this.name = name;
            this.events = events;
        }

        @Override
        public void init() {
            inits.incrementAndGet();
            events.add("init " + name);
        }

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.getWriter().print(name);
        }

        @Override
        public void destroy() {
            events.add("destroy " + name);
        }
    }

    @BothLoops
    void servletIsInitializedOnceWhenTwoFirstRequestsRace(Loop loop) throws Exception {
        AtomicInteger inits = new AtomicInteger();
        CountDownLatch arrived = new CountDownLatch(2);
        HttpServlet lazy = new HttpServlet() {
            @Override
            public void init() throws ServletException {
                inits.incrementAndGet();
                try {
                    // Hold init open until both requests have reached the container (or 2 s passed, when the
                    // container serializes the second request behind init before telling request listeners).
                    arrived.await(2, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new ServletException(e);
                }
            }

            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                resp.getWriter().print("inits=" + inits.get());
            }
        };
        ServletRequestListener arrivals = new ServletRequestListener() {
            @Override
            public void requestInitialized(ServletRequestEvent sre) {
                arrived.countDown();
            }
        };
        try (TestServer server = TestServer.start(loop, b -> b.listener(arrivals).servlet("lazy", lazy, "/lazy"))) {
            assertEquals(0, inits.get(), "a servlet without load-on-startup is initialized lazily");
            CompletableFuture<HttpResponse<String>> first =
                    Http.CLIENT.sendAsync(Http.request(server.uri("/lazy")).build(), HttpResponse.BodyHandlers.ofString());
            CompletableFuture<HttpResponse<String>> second =
                    Http.CLIENT.sendAsync(Http.request(server.uri("/lazy")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, first.get(20, TimeUnit.SECONDS).statusCode());
            assertEquals(200, second.get(20, TimeUnit.SECONDS).statusCode());
            assertEquals("inits=1", first.get().body());
            assertEquals("inits=1", second.get().body());
            assertEquals(1, inits.get());
        }
    }

    @BothLoops
    void loadOnStartupServletsInitInOrderAtStartAndOthersLazily(Loop loop) {
        List<String> events = new CopyOnWriteArrayList<>();
        Recording two = new Recording("two", events);
        Recording one = new Recording("one", events);
        Recording lazy = new Recording("lazy", events);
        try (TestServer server = TestServer.start(loop, b -> b.configure(ctx -> {
            ServletRegistration.Dynamic r2 = ctx.addServlet("two", two);
            r2.setLoadOnStartup(2);
            r2.addMapping("/two");
            ServletRegistration.Dynamic r1 = ctx.addServlet("one", one);
            r1.setLoadOnStartup(1);
            r1.addMapping("/one");
            ctx.addServlet("lazy", lazy).addMapping("/lazy");
        }))) {
            assertEquals(List.of("init one", "init two"), events, "after start()");
            assertEquals("lazy", Http.get(server.uri("/lazy")).body());
            assertEquals(List.of("init one", "init two", "init lazy"), events);
            assertEquals("one", Http.get(server.uri("/one")).body());
            assertEquals(1, one.inits.get(), "a load-on-startup servlet is not initialized again by a request");
        }
    }

    @BothLoops
    void stopDestroysServletsAndFiltersBeforeContextListenersAreTold(Loop loop) {
        List<String> events = new CopyOnWriteArrayList<>();
        Recording servlet = new Recording("servlet", events);
        Recording neverUsed = new Recording("unused", events);
        ServletContextListener listener = new ServletContextListener() {
            @Override
            public void contextInitialized(ServletContextEvent sce) {
                events.add("contextInitialized");
            }

            @Override
            public void contextDestroyed(ServletContextEvent sce) {
                events.add("contextDestroyed");
            }
        };
        jakarta.servlet.Filter filter = new jakarta.servlet.Filter() {
            @Override
            public void init(FilterConfig config) {
                events.add("init filter");
            }

            @Override
            public void doFilter(jakarta.servlet.ServletRequest req, jakarta.servlet.ServletResponse resp,
                                 jakarta.servlet.FilterChain chain) throws IOException, ServletException {
                chain.doFilter(req, resp);
            }

            @Override
            public void destroy() {
                events.add("destroy filter");
            }
        };
        TestServer server = TestServer.start(loop, b -> b.listener(listener).filter("f", filter, "/*")
                .servlet("servlet", servlet, "/s").servlet("unused", neverUsed, "/unused"));
        try {
            assertEquals("contextInitialized", events.get(0), "listeners are told before filters/servlets init");
            assertTrue(events.contains("init filter"), "filters are initialized at start: " + events);
            assertEquals(200, Http.get(server.uri("/s")).statusCode());
        } finally {
            server.close();
        }
        assertEquals("contextDestroyed", events.get(events.size() - 1), events.toString());
        assertTrue(events.contains("destroy servlet"), events.toString());
        assertTrue(events.contains("destroy filter"), events.toString());
        assertFalse(events.contains("destroy unused"), "a servlet never initialized is not destroyed: " + events);
        assertEquals(1, events.stream().filter("contextDestroyed"::equals).count());
    }

    @BothLoops
    void servletFilterAndContextInitParametersAreVisible(Loop loop) {
        List<String> filterSaw = new CopyOnWriteArrayList<>();
        jakarta.servlet.Filter filter = new jakarta.servlet.Filter() {
            @Override
            public void init(FilterConfig config) {
                filterSaw.add(config.getFilterName() + ":" + config.getInitParameter("mode"));
            }

            @Override
            public void doFilter(jakarta.servlet.ServletRequest req, jakarta.servlet.ServletResponse resp,
                                 jakarta.servlet.FilterChain chain) throws IOException, ServletException {
                chain.doFilter(req, resp);
            }
        };
        HttpServlet servlet = new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                ServletConfig cfg = getServletConfig();
                resp.getWriter().print(cfg.getServletName() + "|" + cfg.getInitParameter("greeting") + "|"
                        + cfg.getInitParameter("missing") + "|" + getServletContext().getInitParameter("app.env"));
            }
        };
        try (TestServer server = TestServer.start(loop, b -> b.initParameter("app.env", "test").configure(ctx -> {
            ServletRegistration.Dynamic r = ctx.addServlet("greeter", servlet);
            r.setInitParameter("greeting", "hello");
            r.addMapping("/g");
            var f = ctx.addFilter("modeFilter", filter);
            f.setInitParameter("mode", "strict");
            f.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
        }))) {
            assertEquals("greeter|hello|null|test", Http.get(server.uri("/g")).body());
            assertEquals(List.of("modeFilter:strict"), filterSaw);
        }
    }

    @BothLoops
    void aContextListenerThatThrowsMakesStartFailAndLeavesNothingRunning(Loop loop) throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 50, RawHttp.LOOPBACK)) {
            port = probe.getLocalPort();
        }
        AtomicInteger destroyed = new AtomicInteger();
        ServletContextListener failing = new ServletContextListener() {
            @Override
            public void contextInitialized(ServletContextEvent sce) {
                throw new IllegalArgumentException("database-url-missing");
            }
        };
        Recording servlet = new Recording("s", new CopyOnWriteArrayList<>()) {
            @Override
            public void destroy() {
                destroyed.incrementAndGet();
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> TestServer.builder(loop)
                .port(port).listener(failing).servlet("s", servlet, "/s").start());
        assertTrue(String.valueOf(e.getMessage()).contains("database-url-missing"),
                "the message names the problem: " + e.getMessage());
        // The port is free again: nothing was left listening.
        try (ServerSocket again = new ServerSocket(port, 50, RawHttp.LOOPBACK)) {
            assertEquals(port, again.getLocalPort());
        }
        assertEquals(0, servlet.inits.get(), "no servlet is initialized once a listener failed");
        assertEquals(0, destroyed.get(), "a servlet never initialized is not destroyed");
        // No worker threads are left behind (they are not daemons: they would keep the JVM alive).
        await().atMost(Duration.ofSeconds(5)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && t.getName().startsWith("bridge-worker-")));
    }
}
