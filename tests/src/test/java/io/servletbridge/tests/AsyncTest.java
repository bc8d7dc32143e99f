package io.servletbridge.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.servletbridge.Loop;
import io.servletbridge.background.BackgroundTasks;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Timeout;

/**
 * Asynchronous processing (Servlet 6.1 section 2.3.3.3, the {@code AsyncContext} and {@code AsyncListener} Javadoc,
 * and 9.7 for async dispatches). Where the spec is loose the comment names what Tomcat and Jetty do.
 */
class AsyncTest {

    // ---------------------------------------------------------------- helpers

    /** Registers {@code servlet} as async-supported, mapped to {@code patterns}. */
    private static void asyncServlet(ServletContext ctx, String name, Servlet servlet, String... patterns) {
        ServletRegistration.Dynamic r = ctx.addServlet(name, servlet);
        r.addMapping(patterns);
        r.setAsyncSupported(true);
    }

    /** Registers {@code filter} as async-supported for the given dispatcher type and patterns. */
    private static void asyncFilter(ServletContext ctx, String name, Filter filter, DispatcherType type,
                                    String... patterns) {
        FilterRegistration.Dynamic r = ctx.addFilter(name, filter);
        r.setAsyncSupported(true);
        r.addMappingForUrlPatterns(EnumSet.of(type), true, patterns);
    }

    /** The current thread's name, plus markers if it is a Netty or an XNIO (Undertow) I/O thread whatever its name. */
    static String describeCurrentThread() {
        Thread t = Thread.currentThread();
        String name = t.getName();
        if (t instanceof io.netty.util.concurrent.FastThreadLocalThread) {
            name += " (a Netty thread)";
        }
        if (org.xnio.XnioIoThread.currentThread() != null) {
            name += " (an XNIO I/O thread)";
        }
        return name;
    }

    static boolean isLoopThread(String described) {
        return described.contains("(a Netty thread)") || described.contains("(an XNIO I/O thread)");
    }

    /** An AsyncListener that appends "{name} {event}" to {@code events}, and runs an optional hook on timeout. */
    static class Recorder implements AsyncListener {
        private final String name;
        private final List<String> events;
        private final Consumer<AsyncEvent> onTimeout;

        Recorder(String name, List<String> events) {
            this(name, events, e -> { });
        }

        Recorder(String name, List<String> events, Consumer<AsyncEvent> onTimeout) {
            this.name = name;
            this.events = events;
            this.onTimeout = onTimeout;
        }

        @Override
        public void onComplete(AsyncEvent event) {
            events.add(name + " onComplete");
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            events.add(name + " onTimeout");
            onTimeout.accept(event);
        }

        @Override
        public void onError(AsyncEvent event) {
            events.add(name + " onError " + event.getThrowable());
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            events.add(name + " onStartAsync");
        }
    }

    /** What a call did: {@code IllegalStateException}, another exception's class name, or "returned". */
    private static String outcome(Runnable call) {
        try {
            call.run();
            return "returned";
        } catch (IllegalStateException expected) {
            return "IllegalStateException";
        } catch (RuntimeException | Error e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }

    // ---------------------------------------------------------------- 1. startAsync + complete from another thread

    @BothLoops
    void aResponseCompletedFromAnotherThreadArrivesOnlyAfterComplete(Loop loop) throws Exception {
        CountDownLatch serviceReturned = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> events = new CopyOnWriteArrayList<>();
        AtomicReference<String> serviceThread = new AtomicReference<>();
        AtomicReference<String> completeThread = new AtomicReference<>();
        HttpServlet s = Servlets.of((req, resp) -> {
            events.add("isAsyncStarted before startAsync: " + req.isAsyncStarted());
            AsyncContext ac = req.startAsync();
            events.add("isAsyncStarted after startAsync: " + req.isAsyncStarted());
            serviceThread.set(describeCurrentThread());
            resp.setContentType("text/plain;charset=UTF-8");
            resp.getWriter().print("hello ");
            BackgroundTasks.of(req).run("completer", () -> {
                try {
                    Servlets.await(serviceReturned);
                    Servlets.await(release);
                    events.add("isAsyncStarted in the task: " + req.isAsyncStarted());
                    completeThread.set(describeCurrentThread());
                    ac.getResponse().getWriter().print("world");
                    events.add("complete");
                    ac.complete();
                } catch (Exception e) {
                    events.add("task failed: " + e);
                }
            });
        });
        Filter returned = Servlets.filter((req, resp, chain) -> {
            chain.doFilter(req, resp);
            events.add("service returned");
            serviceReturned.countDown();
        });
        try (TestServer server = TestServer.start(loop, b -> b.configure(ctx -> {
            asyncFilter(ctx, "returned", returned, DispatcherType.REQUEST, "/*");
            asyncServlet(ctx, "s", s, "/s");
        }));
             RawHttp c = server.raw()) {
            try {
                c.get("/s");
                assertTrue(serviceReturned.await(10, TimeUnit.SECONDS), "service() never returned: " + events);
                assertTrue(c.silentFor(300), "nothing may be sent before complete()");
            } finally {
                release.countDown();
            }
            RawHttp.Response r = c.readFinal();
            assertEquals(200, r.status(), r.toString());
            assertTrue(r.complete(), r.toString());
            assertEquals("hello world", r.bodyText());
            assertEquals(List.of("isAsyncStarted before startAsync: false", "isAsyncStarted after startAsync: true",
                    "service returned", "isAsyncStarted in the task: true", "complete"), events);
            assertTrue(serviceThread.get().startsWith("bridge-worker-"), serviceThread.get());
            assertNotEquals(serviceThread.get(), completeThread.get());
            // The connection is still good for the next request.
            c.get("/s");
            release.countDown();
            assertEquals("hello world", c.readFinal().bodyText());
        }
    }

    // ---------------------------------------------------------------- 2. startAsync where async is not supported

    @BothLoops
    void startAsyncOnAServletThatIsNotAsyncSupportedThrows(Loop loop) {
        List<String> seen = new CopyOnWriteArrayList<>();
        HttpServlet s = Servlets.of((req, resp) -> {
            seen.add("isAsyncSupported " + req.isAsyncSupported());
            seen.add("startAsync() " + outcome(req::startAsync));
            seen.add("startAsync(req, resp) " + outcome(() -> req.startAsync(req, resp)));
            seen.add("isAsyncStarted " + req.isAsyncStarted());
            resp.getWriter().print("refused");
        });
        // Builder.servlet registers a servlet that is not async-supported (the spec's default).
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s"))) {
            var r = Http.get(server.uri("/s"));
            assertEquals(200, r.statusCode());
            assertEquals("refused", r.body());
            assertEquals(List.of("isAsyncSupported false", "startAsync() IllegalStateException",
                    "startAsync(req, resp) IllegalStateException", "isAsyncStarted false"), seen);
        }
    }

    @BothLoops
    void startAsyncBehindAFilterThatIsNotAsyncSupportedThrows(Loop loop) {
        List<String> seen = new CopyOnWriteArrayList<>();
        HttpServlet s = Servlets.of((req, resp) -> {
            String where = req.getServletPath();
            seen.add(where + " isAsyncSupported " + req.isAsyncSupported());
            String started = outcome(req::startAsync);
            seen.add(where + " startAsync() " + started);
            if (started.equals("returned")) {
                resp.getWriter().print("started");
                req.getAsyncContext().complete();
            } else {
                resp.getWriter().print("refused");
            }
        });
        Filter plain = Servlets.filter((req, resp, chain) -> chain.doFilter(req, resp));
        try (TestServer server = TestServer.start(loop, b -> b
                .filter("plain", plain, "/guarded") // Builder.filter: not async-supported
                .configure(ctx -> asyncServlet(ctx, "s", s, "/guarded", "/open")))) {
            assertEquals("refused", Http.get(server.uri("/guarded")).body());
            // The same servlet without the filter in its chain may go async: the filter made the difference.
            assertEquals("started", Http.get(server.uri("/open")).body());
            assertEquals(List.of("/guarded isAsyncSupported false", "/guarded startAsync() IllegalStateException",
                    "/open isAsyncSupported true", "/open startAsync() returned"), seen);
        }
    }

    // ---------------------------------------------------------------- 3. async dispatch (9.7.2)

    private static String describe(HttpServletMapping m) {
        return m == null ? "null"
                : m.getServletName() + " " + m.getPattern() + " '" + m.getMatchValue() + "' " + m.getMappingMatch();
    }

    /** What the servlet sees of its path and of the async dispatch attributes. */
    private static Map<String, String> observe(HttpServletRequest req) {
        Map<String, String> m = new TreeMap<>();
        m.put("dispatcherType", String.valueOf(req.getDispatcherType()));
        m.put("requestURI", req.getRequestURI());
        m.put("contextPath", req.getContextPath());
        m.put("servletPath", req.getServletPath());
        m.put("pathInfo", String.valueOf(req.getPathInfo()));
        m.put("mapping", describe(req.getHttpServletMapping()));
        for (String attr : List.of(AsyncContext.ASYNC_REQUEST_URI, AsyncContext.ASYNC_CONTEXT_PATH,
                AsyncContext.ASYNC_SERVLET_PATH, AsyncContext.ASYNC_PATH_INFO, AsyncContext.ASYNC_QUERY_STRING)) {
            m.put(attr, String.valueOf(req.getAttribute(attr)));
        }
        Object mapping = req.getAttribute(AsyncContext.ASYNC_MAPPING);
        m.put(AsyncContext.ASYNC_MAPPING,
                mapping instanceof HttpServletMapping hm ? describe(hm) : "not a mapping: " + mapping);
        return m;
    }

    private static Map<String, String> expected(String type, String uri, String servletPath, String pathInfo,
                                                String mapping, String originalQuery) {
        Map<String, String> m = new TreeMap<>();
        m.put("dispatcherType", type);
        m.put("requestURI", uri);
        m.put("contextPath", "/app");
        m.put("servletPath", servletPath);
        m.put("pathInfo", pathInfo);
        m.put("mapping", mapping);
        m.put(AsyncContext.ASYNC_REQUEST_URI, "/app/a/extra");
        m.put(AsyncContext.ASYNC_CONTEXT_PATH, "/app");
        m.put(AsyncContext.ASYNC_SERVLET_PATH, "/a");
        m.put(AsyncContext.ASYNC_PATH_INFO, "/extra");
        m.put(AsyncContext.ASYNC_QUERY_STRING, originalQuery);
        m.put(AsyncContext.ASYNC_MAPPING, "a /a/* 'extra' PATH");
        return m;
    }

    @BothLoops
    void asyncDispatchesRunWithTheAsyncTypeAndTheOriginalPathAttributes(Loop loop) {
        List<String> filters = new CopyOnWriteArrayList<>();
        AtomicReference<Map<String, String>> original = new AtomicReference<>();
        AtomicReference<Map<String, String>> target = new AtomicReference<>();
        HttpServlet a = Servlets.of((req, resp) -> {
            if (req.getDispatcherType() == DispatcherType.REQUEST) {
                original.set(observe(req));
                AsyncContext ac = req.startAsync();
                switch (req.getParameter("to")) {
                    case "same" -> BackgroundTasks.of(req).run("dispatch", ac::dispatch);
                    case "path", "hop" -> ac.dispatch(req.getParameter("to").equals("hop") ? "/b/hop" : "/b/more");
                    case "context" -> ac.dispatch(req.getServletContext(), "/b/ctx");
                    default -> throw new IllegalArgumentException(req.getParameter("to"));
                }
            } else {
                target.set(observe(req));
                resp.getWriter().print("a " + req.getDispatcherType());
            }
        });
        HttpServlet b = Servlets.of((req, resp) -> {
            if ("/hop".equals(req.getPathInfo())) {
                // A second async cycle started by the target of the first async dispatch: dispatch again.
                req.startAsync().dispatch("/b/final");
                return;
            }
            target.set(observe(req));
            resp.getWriter().print("b " + req.getDispatcherType());
        });
        Filter requestOnly = Servlets.filter((req, resp, chain) -> {
            filters.add("request-filter " + req.getDispatcherType() + " " + req.getRequestURI());
            chain.doFilter(req, resp);
        });
        Filter asyncOnly = Servlets.filter((req, resp, chain) -> {
            filters.add("async-filter " + req.getDispatcherType() + " " + req.getRequestURI());
            chain.doFilter(req, resp);
        });
        try (TestServer server = TestServer.start(loop, bld -> bld.contextPath("/app").configure(ctx -> {
            asyncFilter(ctx, "requestOnly", requestOnly, DispatcherType.REQUEST, "/*");
            asyncFilter(ctx, "asyncOnly", asyncOnly, DispatcherType.ASYNC, "/*");
            asyncServlet(ctx, "a", a, "/a/*");
            asyncServlet(ctx, "b", b, "/b/*");
        }))) {
            String originalMapping = "a /a/* 'extra' PATH";

            // dispatch(): the same URI again, now as an ASYNC dispatch.
            var r = Http.get(server.uri("/app/a/extra?x=1&to=same"));
            assertEquals(200, r.statusCode());
            assertEquals("a ASYNC", r.body());
            assertEquals("REQUEST", original.get().get("dispatcherType"));
            assertEquals(originalMapping, original.get().get("mapping"));
            assertEquals(expected("ASYNC", "/app/a/extra", "/a", "/extra", originalMapping, "x=1&to=same"),
                    target.get());
            assertEquals(List.of("request-filter REQUEST /app/a/extra", "async-filter ASYNC /app/a/extra"),
                    filters);

            // dispatch(path): another servlet; its path methods reflect the target, the attributes the original.
            filters.clear();
            r = Http.get(server.uri("/app/a/extra?x=1&to=path"));
            assertEquals("b ASYNC", r.body());
            assertEquals(expected("ASYNC", "/app/b/more", "/b", "/more", "b /b/* 'more' PATH", "x=1&to=path"),
                    target.get());
            assertEquals(List.of("request-filter REQUEST /app/a/extra", "async-filter ASYNC /app/b/more"), filters);

            // dispatch(context, path).
            filters.clear();
            r = Http.get(server.uri("/app/a/extra?x=1&to=context"));
            assertEquals("b ASYNC", r.body());
            assertEquals(expected("ASYNC", "/app/b/ctx", "/b", "/ctx", "b /b/* 'ctx' PATH", "x=1&to=context"),
                    target.get());
            assertEquals(List.of("request-filter REQUEST /app/a/extra", "async-filter ASYNC /app/b/ctx"), filters);

            // Repeated dispatches: the attributes still reflect the original request.
            filters.clear();
            r = Http.get(server.uri("/app/a/extra?x=1&to=hop"));
            assertEquals("b ASYNC", r.body());
            assertEquals(expected("ASYNC", "/app/b/final", "/b", "/final", "b /b/* 'final' PATH", "x=1&to=hop"),
                    target.get());
            assertEquals(List.of("request-filter REQUEST /app/a/extra", "async-filter ASYNC /app/b/hop",
                    "async-filter ASYNC /app/b/final"), filters);
        }
    }

    // ---------------------------------------------------------------- 4. timeouts

    @BothLoops
    void aTimeoutNobodyHandlesAnswers500AndCompletes(Loop loop) throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        AtomicReference<Object> sameContext = new AtomicReference<>();
        HttpServlet s = Servlets.of((req, resp) -> {
            AsyncContext ac = req.startAsync();
            ac.setTimeout(200);
            ac.addListener(new Recorder("L", events, e -> sameContext.set(e.getAsyncContext() == ac)));
        });
        try (TestServer server = TestServer.start(loop, b -> b.configure(ctx -> asyncServlet(ctx, "s", s, "/s")));
             RawHttp c = server.raw()) {
            long start = System.nanoTime();
            c.get("/s");
            RawHttp.Response r = c.readFinal();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            // AsyncContext Javadoc: onTimeout, then an error dispatch with 500; no error page, so complete().
            assertEquals(500, r.status(), r.toString());
            assertTrue(millis >= 190, "the timeout fired early: " + millis + " ms");
            assertTrue(millis < 5000, "the timeout fired late: " + millis + " ms");
            await().atMost(Duration.ofSeconds(5)).until(() -> events.contains("L onComplete"));
            assertEquals(List.of("L onTimeout", "L onComplete"), events);
            assertEquals(Boolean.TRUE, sameContext.get());
        }
    }

    @BothLoops
    void aListenerThatAnswersOnTimeoutIsWhatTheClientGets(Loop loop) {
        List<String> events = new CopyOnWriteArrayList<>();
        HttpServlet s = Servlets.of((req, resp) -> {
            AsyncContext ac = req.startAsync();
            ac.setTimeout(200);
            ac.addListener(new Recorder("L", events, e -> {
                try {
                    var response = (jakarta.servlet.http.HttpServletResponse) e.getAsyncContext().getResponse();
                    response.setStatus(504);
                    response.setContentType("text/plain;charset=UTF-8");
                    response.getWriter().print("gave up waiting");
                    e.getAsyncContext().complete();
                } catch (IOException ex) {
                    events.add("write failed " + ex);
                }
            }));
        });
        try (TestServer server = TestServer.start(loop, b -> b.configure(ctx -> asyncServlet(ctx, "s", s, "/s")))) {
            var r = Http.send(Http.request(server.uri("/s")).timeout(Duration.ofSeconds(5)).GET().build());
            assertEquals(504, r.statusCode());
            assertEquals("gave up waiting", r.body());
            await().atMost(Duration.ofSeconds(5)).until(() -> events.contains("L onComplete"));
            assertEquals(List.of("L onTimeout", "L onComplete"), events);
        }
    }

    @BothLoops
    void theDefaultTimeoutIs30Seconds(Loop loop) {
        List<String> seen = new CopyOnWriteArrayList<>();
        HttpServlet s = Servlets.of((req, resp) -> {
            AsyncContext ac = req.startAsync();
            seen.add("default " + ac.getTimeout());
            ac.setTimeout(1234);
            seen.add("set " + ac.getTimeout());
            resp.getWriter().print("ok");
            ac.complete();
        });
        try (TestServer server = TestServer.start(loop, b -> b.configure(ctx -> asyncServlet(ctx, "s", s, "/s")))) {
            assertEquals("ok", Http.get(server.uri("/s")).body());
            assertEquals(List.of("default 30000", "set 1234"), seen);
        }
    }

    // ---------------------------------------------------------------- 5. listeners

    @BothLoops
    void onStartAsyncFiresOnlyForANewCycleAndListenersMustReRegister(Loop loop) throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        AtomicReference<AsyncContext> first = new AtomicReference<>();
        AtomicReference<Object> sameInstance = new AtomicReference<>();
        HttpServlet s = Servlets.of((req, resp) -> {
            if (req.getDispatcherType() == DispatcherType.REQUEST) {
                events.add("startAsync 1");
                AsyncContext ac = req.startAsync();
                first.set(ac);
                ac.addListener(new Recorder("L1", events));
                // L2 registers itself again for the next cycle, as AsyncListener#onStartAsync says it must.
                ac.addListener(new Recorder("L2", events) {
                    @Override
                    public void onStartAsync(AsyncEvent event) {
                        super.onStartAsync(event);
                        event.getAsyncContext().addListener(this);
                    }
                });
                ac.dispatch();
            } else {
                events.add("startAsync 2");
                AsyncContext again = req.startAsync();
                sameInstance.set(again == first.get());
                resp.getWriter().print("second cycle");
                again.complete();
            }
        });
        try (TestServer server = TestServer.start(loop, b -> b.configure(ctx -> asyncServlet(ctx, "s", s, "/s")))) {
            assertEquals("second cycle", Http.get(server.uri("/s")).body());
            await().atMost(Duration.ofSeconds(5)).until(() -> events.contains("L2 onComplete"));
            // L1 did not re-register: it hears of the new cycle and then of nothing more.
            assertEquals(List.of("startAsync 1", "startAsync 2", "L1 onStartAsync", "L2 onStartAsync",
                    "L2 onComplete"), events);
            assertEquals(Boolean.TRUE, sameInstance.get(), "startAsync again returns the same AsyncContext");
        }
    }

    @BothLoops
    void onCompleteFollowsCompleteWithTheSuppliedObjects(Loop loop) {
        List<String> events = new CopyOnWriteArrayList<>();
        AtomicReference<Object> supplied = new AtomicReference<>();
        HttpServlet s = Servlets.of((req, resp) -> {
            AsyncContext ac = req.startAsync();
            ac.addListener(new AsyncListener() {
                @Override
                public void onComplete(AsyncEvent event) {
                    supplied.set(event.getSuppliedRequest() == req && event.getSuppliedResponse() == resp);
                    events.add("onComplete");
                }

                @Override
                public void onTimeout(AsyncEvent event) {
                    events.add("onTimeout");
                }

                @Override
                public void onError(AsyncEvent event) {
                    events.add("onError");
                }

                @Override
                public void onStartAsync(AsyncEvent event) {
                    events.add("onStartAsync");
                }
            }, req, resp);
            BackgroundTasks.of(req).run("completer", () -> {
                try {
                    ac.getResponse().getWriter().print("done");
                    events.add("complete");
                    ac.complete();
                } catch (IOException e) {
                    events.add("failed " + e);
                }
            });
        });
        try (TestServer server = TestServer.start(loop, b -> b.configure(ctx -> asyncServlet(ctx, "s", s, "/s")))) {
            assertEquals("done", Http.get(server.uri("/s")).body());
            await().atMost(Duration.ofSeconds(5)).until(() -> events.contains("onComplete"));
            assertEquals(List.of("complete", "onComplete"), events);
            assertEquals(Boolean.TRUE, supplied.get());
        }
    }

    /**
     * A client that goes away while the request is parked. A loop may not notice a silent disconnect until it reads
     * or writes, so the application writes after the disconnect: the write fails or the container reported the
     * error to the listener first, and either way the listener hears the exchange end (invariant 4).
     */
    @BothLoops
    void aClientThatLeavesDuringAsyncIsReportedToTheApplication(Loop loop) throws Exception {
        CountDownLatch parked = new CountDownLatch(1);
        CountDownLatch clientGone = new CountDownLatch(1);
        List<String> events = new CopyOnWriteArrayList<>();
        AtomicReference<Object> writeOutcome = new AtomicReference<>();
        HttpServlet s = Servlets.of((req, resp) -> {
            AsyncContext ac = req.startAsync();
            ac.addListener(new Recorder("L", events));
            ServletOutputStream out = resp.getOutputStream();
            BackgroundTasks.of(req).run("writer", () -> {
                try {
                    Servlets.await(clientGone);
                    byte[] chunk = new byte[64 * 1024];
                    // 4 GiB: far more than any socket buffer; only a failure ends this loop in time.
                    for (int i = 0; i < 65_536; i++) {
                        out.write(chunk);
                        out.flush();
                    }
                    writeOutcome.set("wrote everything");
                } catch (IOException | IllegalStateException e) {
                    writeOutcome.set(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    writeOutcome.set(e);
                }
                try {
                    ac.complete();
                } catch (IllegalStateException alreadyEnded) {
                    events.add("complete refused");
                }
            });
            parked.countDown();
        });
        try (TestServer server = TestServer.start(loop, b -> b.configure(ctx -> asyncServlet(ctx, "s", s, "/s"))
                .servlet("ok", Servlets.text("ok"), "/ok"))) {
            RawHttp c = server.raw();
            c.get("/s");
            assertTrue(parked.await(10, TimeUnit.SECONDS));
            c.abort();
            clientGone.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> writeOutcome.get() != null);
            boolean onError = events.stream().anyMatch(e -> e.startsWith("L onError"));
            assertTrue(writeOutcome.get() instanceof IOException || onError,
                    "the write must fail or onError must have been called: " + writeOutcome.get() + " " + events);
            await().atMost(Duration.ofSeconds(10)).until(() -> events.stream()
                    .anyMatch(e -> e.startsWith("L onError") || e.equals("L onComplete")));
            assertEquals("ok", Http.get(server.uri("/ok")).body());
        }
    }

    /**
     * DESIGN.md (async section): a client that goes away while the request is parked is seen by the loop, which
     * queues onError and ends the exchange. A reset (not a FIN: a half-closed client may still read its answer) needs
     * no write to be noticed; the listener does nothing, so the container ends the cycle and onComplete follows.
     */
    @BothLoops
    void aClientThatResetsWhileParkedGetsOnErrorWithoutAnyWrite(Loop loop) throws Exception {
        CountDownLatch parked = new CountDownLatch(1);
        List<String> events = new CopyOnWriteArrayList<>();
        HttpServlet s = Servlets.of((req, resp) -> {
            AsyncContext ac = req.startAsync();
            ac.addListener(new Recorder("L", events));
            parked.countDown();
        });
        try (TestServer server = TestServer.start(loop, b -> b.configure(ctx -> asyncServlet(ctx, "s", s, "/s"))
                .servlet("ok", Servlets.text("ok"), "/ok"))) {
            RawHttp c = server.raw();
            c.get("/s");
            assertTrue(parked.await(10, TimeUnit.SECONDS));
            c.abort();
            try {
                await().atMost(Duration.ofSeconds(5)).until(() -> events.contains("L onComplete"));
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("a reset while parked was not reported within 5 s; listener events: "
                        + events, e);
            }
            assertEquals(2, events.size(), events.toString());
            assertTrue(events.get(0).startsWith("L onError "), events.toString());
            assertEquals("L onComplete", events.get(1));
            assertEquals("ok", Http.get(server.uri("/ok")).body());
        }
    }

    // ---------------------------------------------------------------- 6. AsyncContext.start

    @BothLoops
    void startRunsTheRunnableOnAContainerThreadThatMayComplete(Loop loop) {
        AtomicReference<Thread> caller = new AtomicReference<>();
        AtomicReference<Thread> runner = new AtomicReference<>();
        AtomicReference<String> runnerName = new AtomicReference<>();
        AtomicBoolean insideStart = new AtomicBoolean();
        AtomicBoolean serviceReturned = new AtomicBoolean();
        AtomicReference<String> ranWhere = new AtomicReference<>();
        HttpServlet s = Servlets.of((req, resp) -> {
            caller.set(Thread.currentThread());
            AsyncContext ac = req.startAsync();
            insideStart.set(true);
            ac.start(() -> {
                runner.set(Thread.currentThread());
                runnerName.set(describeCurrentThread());
                ranWhere.set((insideStart.get() && Thread.currentThread() == caller.get()) ? "inside start()"
                        : serviceReturned.get() ? "after service returned" : "concurrently with service");
                try {
                    ac.getResponse().getWriter().print("from start");
                } catch (IOException e) {
                    ranWhere.set("write failed " + e);
                }
                ac.complete();
            });
            insideStart.set(false);
        });
        Filter returned = Servlets.filter((req, resp, chain) -> {
            chain.doFilter(req, resp);
            serviceReturned.set(true);
        });
        try (TestServer server = TestServer.start(loop, b -> b.configure(ctx -> {
            asyncFilter(ctx, "returned", returned, DispatcherType.REQUEST, "/*");
            asyncServlet(ctx, "s", s, "/s");
        }))) {
            assertEquals("from start", Http.get(server.uri("/s")).body());
            assertNotEquals("inside start()", ranWhere.get(), "start() must hand the runnable to a container thread");
            assertTrue(runner.get() != caller.get() || ranWhere.get().equals("after service returned"),
                    "the runnable ran on the caller's thread while it was still in service(): " + ranWhere.get());
            assertFalse(isLoopThread(runnerName.get()), runnerName.get());
            assertNotEquals(Thread.currentThread(), runner.get());
        }
    }

    // ---------------------------------------------------------------- 7. parked requests hold no worker

    @BothLoops
    @Timeout(20)
    void fiveHundredParkedRequestsHoldNoWorkerThread(Loop loop) throws Exception {
        int n = 500;
        Semaphore parked = new Semaphore(0);
        CountDownLatch release = new CountDownLatch(1);
        Queue<AsyncContext> waiting = new ConcurrentLinkedQueue<>();
        AtomicBoolean taskSubmitted = new AtomicBoolean();
        List<String> failures = new CopyOnWriteArrayList<>();
        HttpServlet s = Servlets.of((req, resp) -> {
            AsyncContext ac = req.startAsync();
            resp.setContentType("text/plain;charset=UTF-8");
            waiting.add(ac);
            if (taskSubmitted.compareAndSet(false, true)) {
                BackgroundTasks.of(req).run("complete-all", () -> {
                    try {
                        Servlets.await(release);
                        for (AsyncContext a; (a = waiting.poll()) != null; ) {
                            a.getResponse().getWriter().print("done " + a.getRequest().getParameter("i") + ".");
                            a.complete();
                        }
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                });
            }
            parked.release();
        });
        List<Socket> sockets = new ArrayList<>();
        try (TestServer server = TestServer.start(loop, b -> b.workers(8, 8)
                .configure(ctx -> asyncServlet(ctx, "s", s, "/s"))
                .servlet("ok", Servlets.text("ok"), "/ok"))) {
            try {
                // Waves of 8: never more requests waiting for service() than workers plus queue, so no 503.
                for (int i = 0; i < n; i += 8) {
                    int wave = Math.min(8, n - i);
                    for (int k = i; k < i + wave; k++) {
                        Socket sock = new Socket(RawHttp.LOOPBACK, server.port());
                        sockets.add(sock);
                        sock.setSoTimeout(RawHttp.READ_TIMEOUT_MS);
                        sock.getOutputStream().write(("GET /s?i=" + k + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    }
                    assertTrue(parked.tryAcquire(wave, 10, TimeUnit.SECONDS),
                            "requests " + i + ".." + (i + wave - 1) + " were not all parked");
                }
                assertEquals(n, waiting.size());
                // All 500 parked and all 8 workers free: a plain request is served at once.
                assertEquals("ok", Http.get(server.uri("/ok")).body());
            } finally {
                release.countDown();
            }
            for (int k = 0; k < n; k++) {
                InputStream in = sockets.get(k).getInputStream();
                String text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                assertTrue(text.startsWith("HTTP/1.1 200 "), "request " + k + ": " + text);
                assertTrue(text.contains("done " + k + "."), "request " + k + ": " + text);
            }
            assertEquals(List.of(), failures);
        } finally {
            for (Socket sock : sockets) {
                sock.close();
            }
        }
    }

    // ---------------------------------------------------------------- 8. one async operation at a time

    @BothLoops
    void aDispatchCalledBeforeServiceReturnedWaitsForIt(Loop loop) throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        CountDownLatch dispatchReturned = new CountDownLatch(1);
        CountDownLatch asyncEntered = new CountDownLatch(1);
        HttpServlet s = Servlets.of((req, resp) -> {
            if (req.getDispatcherType() == DispatcherType.ASYNC) {
                events.add("async dispatch entered");
                asyncEntered.countDown();
                resp.getWriter().print("dispatched");
                return;
            }
            AsyncContext ac = req.startAsync();
            Thread t = new Thread(() -> {
                ac.dispatch();
                events.add("dispatch() returned");
                dispatchReturned.countDown();
            }, "test-dispatcher");
            t.start();
            Servlets.await(dispatchReturned);
            // An observation window: the dispatch must not start while this service() is still running.
            boolean early = asyncEntered.await(300, TimeUnit.MILLISECONDS);
            events.add("service returning, async dispatch already entered: " + early);
        });
        Filter returned = Servlets.filter((req, resp, chain) -> {
            chain.doFilter(req, resp);
            events.add("service returned");
        });
        try (TestServer server = TestServer.start(loop, b -> b.configure(ctx -> {
            asyncFilter(ctx, "returned", returned, DispatcherType.REQUEST, "/*");
            asyncServlet(ctx, "s", s, "/s");
        }))) {
            assertEquals("dispatched", Http.get(server.uri("/s")).body());
            assertEquals(List.of("dispatch() returned", "service returning, async dispatch already entered: false",
                    "service returned", "async dispatch entered"), events);
        }
    }

    @BothLoops
    void aCompleteCalledBeforeServiceReturnedTakesEffectAfterIt(Loop loop) throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        CountDownLatch completeReturned = new CountDownLatch(1);
        CountDownLatch mayReturn = new CountDownLatch(1);
        HttpServlet s = Servlets.of((req, resp) -> {
            AsyncContext ac = req.startAsync();
            ac.addListener(new Recorder("L", events));
            resp.getWriter().print("completed early");
            Thread t = new Thread(() -> {
                ac.complete();
                events.add("complete() returned");
                completeReturned.countDown();
            }, "test-completer");
            t.start();
            Servlets.await(completeReturned);
            Servlets.await(mayReturn);
            events.add("service returning");
        });
        try (TestServer server = TestServer.start(loop, b -> b.configure(ctx -> asyncServlet(ctx, "s", s, "/s")));
             RawHttp c = server.raw()) {
            try {
                c.get("/s");
                assertTrue(completeReturned.await(10, TimeUnit.SECONDS));
                assertTrue(c.silentFor(300), "complete() must not take effect while service() runs");
            } finally {
                mayReturn.countDown();
            }
            RawHttp.Response r = c.readFinal();
            assertEquals(200, r.status());
            assertEquals("completed early", r.bodyText());
            await().atMost(Duration.ofSeconds(5)).until(() -> events.contains("L onComplete"));
            assertEquals(List.of("complete() returned", "service returning", "L onComplete"), events);
        }
    }

    // ---------------------------------------------------------------- 9. illegal states

    @BothLoops
    void dispatchAfterCompleteThrowsAndASecondCompleteChangesNothing(Loop loop) {
        List<String> events = new CopyOnWriteArrayList<>();
        HttpServlet s = Servlets.of((req, resp) -> {
            AsyncContext ac = req.startAsync();
            ac.addListener(new Recorder("L", events));
            resp.getWriter().print("once");
            ac.complete();
            // The spec leaves a second complete() open: Tomcat throws IllegalStateException, Jetty 12 ignores it.
            String second = outcome(ac::complete);
            events.add("second complete " + (second.equals("returned") || second.equals("IllegalStateException")
                    ? "refused or ignored" : second));
            // AsyncContext#dispatch: IllegalStateException "if complete() was called".
            events.add("dispatch() " + outcome(ac::dispatch));
            events.add("dispatch(path) " + outcome(() -> ac.dispatch("/s")));
        });
        try (TestServer server = TestServer.start(loop, b -> b.configure(ctx -> asyncServlet(ctx, "s", s, "/s")))) {
            var r = Http.get(server.uri("/s"));
            assertEquals(200, r.statusCode());
            assertEquals("once", r.body());
            await().atMost(Duration.ofSeconds(5)).until(() -> events.contains("L onComplete"));
            // No second onComplete follows the first.
            await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2))
                    .until(() -> events.stream().filter("L onComplete"::equals).count() == 1);
            assertEquals(List.of("second complete refused or ignored", "dispatch() IllegalStateException",
                    "dispatch(path) IllegalStateException", "L onComplete"), events);
        }
    }

    @BothLoops
    void completeOrDispatchAfterTheResponseWasSentThrows(Loop loop) throws Exception {
        CountDownLatch responseRead = new CountDownLatch(1);
        CountDownLatch checked = new CountDownLatch(1);
        List<String> outcomes = new CopyOnWriteArrayList<>();
        HttpServlet s = Servlets.of((req, resp) -> {
            AsyncContext ac = req.startAsync();
            resp.getWriter().print("first");
            BackgroundTasks.of(req).run("late", () -> {
                try {
                    ac.complete();
                    Servlets.await(responseRead);
                    // The client has the whole response; the exchange may be a moment away from ending.
                    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                            .until(() -> outcome(ac::complete).equals("IllegalStateException"));
                    outcomes.add("complete " + outcome(ac::complete));
                    outcomes.add("dispatch " + outcome(ac::dispatch));
                } catch (Exception | Error e) {
                    outcomes.add("failed " + e);
                } finally {
                    checked.countDown();
                }
            });
        });
        try (TestServer server = TestServer.start(loop, b -> b.configure(ctx -> asyncServlet(ctx, "s", s, "/s")));
             RawHttp c = server.raw()) {
            c.get("/s");
            RawHttp.Response r = c.readFinal();
            assertEquals("first", r.bodyText());
            responseRead.countDown();
            assertTrue(checked.await(10, TimeUnit.SECONDS));
            assertEquals(List.of("complete IllegalStateException", "dispatch IllegalStateException"), outcomes);
            assertTrue(c.silentFor(200), "nothing more on the connection after the response");
        }
    }
}
