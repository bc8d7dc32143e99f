package io.servletbridge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.servletbridge.Loop;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextAttributeEvent;
import jakarta.servlet.ServletContextAttributeListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.UnavailableException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** The ServletContext and servlet availability (Servlet 6.1 chapters 4 and 2.3.3). */
class ContextTest {

    @BothLoops
    void contextDescribesItself(Loop loop) {
        HttpServlet s = Servlets.of((req, resp) -> {
            ServletContext ctx = req.getServletContext();
            resp.getWriter().print(ctx.getMajorVersion() + "." + ctx.getMinorVersion() + "|"
                    + ctx.getMimeType("index.html") + "|" + ctx.getMimeType("a.css") + "|"
                    + ctx.getServletContextName() + "|" + ctx.getServletRegistration("s").getMappings() + "|"
                    + (ctx == ctx.getContext(ctx.getContextPath())));
        });
        try (TestServer server = TestServer.start(loop, b -> b.contextPath("/shop").displayName("Shop")
                .servlet("s", s, "/s"))) {
            HttpResponse<String> r = Http.get(server.uri("/shop/s"));
            assertEquals("6.1|text/html|text/css|Shop|[/s]|true", r.body());
            assertNotNull(server.bridge().servletContext().getServerInfo());
        }
    }

    @BothLoops
    void attributesNotifyContextAttributeListeners(Loop loop) {
        List<String> events = new CopyOnWriteArrayList<>();
        ServletContextAttributeListener listener = new ServletContextAttributeListener() {
            @Override
            public void attributeAdded(ServletContextAttributeEvent e) {
                events.add("added " + e.getName() + "=" + e.getValue());
            }

            @Override
            public void attributeReplaced(ServletContextAttributeEvent e) {
                events.add("replaced " + e.getName() + "=" + e.getValue());
            }

            @Override
            public void attributeRemoved(ServletContextAttributeEvent e) {
                events.add("removed " + e.getName() + "=" + e.getValue());
            }
        };
        HttpServlet s = Servlets.of((req, resp) -> {
            ServletContext ctx = req.getServletContext();
            ctx.setAttribute("hits", 1);
            ctx.setAttribute("hits", 2);
            ctx.removeAttribute("hits");
            resp.getWriter().print(ctx.getAttribute("hits"));
        });
        try (TestServer server = TestServer.start(loop, b -> b.listener(listener).servlet("s", s, "/s"))) {
            assertEquals("null", Http.get(server.uri("/s")).body());
            assertEquals(List.of("added hits=1", "replaced hits=1", "removed hits=2"),
                    events.stream().filter(e -> e.contains("hits")).toList());
        }
    }

    @BothLoops
    void addingServletsAfterStartIsRefused(Loop loop) {
        HttpServlet s = Servlets.of((req, resp) -> {
            String outcome;
            try {
                req.getServletContext().addServlet("late", Servlets.text("late"));
                outcome = "added";
            } catch (IllegalStateException expected) {
                outcome = "ISE";
            }
            resp.getWriter().print(outcome);
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s"))) {
            assertEquals("ISE", Http.get(server.uri("/s")).body(), "ServletContext#addServlet after initialization");
        }
    }

    @BothLoops
    void temporarilyUnavailableServletsAnswer503(Loop loop) {
        AtomicInteger calls = new AtomicInteger();
        HttpServlet s = Servlets.of((req, resp) -> {
            calls.incrementAndGet();
            throw new UnavailableException("maintenance", 30);
        });
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s"))) {
            assertEquals(503, Http.get(server.uri("/s")).statusCode());
            HttpResponse<String> again = Http.get(server.uri("/s"));
            assertEquals(503, again.statusCode());
            if (calls.get() == 1) {
                // Spec 2.3.3.2: a request the container refuses during the period gets 503 with Retry-After.
                assertTrue(again.headers().firstValue("Retry-After").isPresent(), "refused without Retry-After");
            }
        }
    }

    @BothLoops
    void permanentlyUnavailableServletsAreTakenOutOfService(Loop loop) {
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger destroyed = new AtomicInteger();
        HttpServlet s = new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws ServletException {
                calls.incrementAndGet();
                throw new UnavailableException("gone for good");
            }

            @Override
            public void destroy() {
                destroyed.incrementAndGet();
            }
        };
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s"))) {
            int first = Http.get(server.uri("/s")).statusCode();
            assertTrue(first == 404 || first == 503, "the failing request gets an error: " + first);
            // Spec 2.3.3.2: removed from service and destroyed; requests refused for that cause get 404.
            assertEquals(404, Http.get(server.uri("/s")).statusCode());
            assertEquals(1, calls.get(), "a servlet out of service is not called again");
            assertEquals(1, destroyed.get(), "and it was destroyed");
        }
    }

    @BothLoops
    void aServletWhoseInitFailsAnswers500(Loop loop) {
        HttpServlet s = new HttpServlet() {
            @Override
            public void init() throws ServletException {
                throw new ServletException("cannot init");
            }

            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                resp.getWriter().print("must not run");
            }
        };
        try (TestServer server = TestServer.start(loop, b -> b.servlet("s", s, "/s")
                .servlet("ok", Servlets.text("ok"), "/ok"))) {
            HttpResponse<String> r = Http.get(server.uri("/s"));
            assertEquals(500, r.statusCode());
            assertTrue(!r.body().contains("must not run"));
            assertEquals("ok", Http.get(server.uri("/ok")).body());
        }
    }
}
