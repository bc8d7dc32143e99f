package io.servletbridge.tests;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Servlets and filters from lambdas, so each test states its application next to its assertions. */
final class Servlets {
    private Servlets() {
    }

    @FunctionalInterface
    interface Handler {
        void handle(HttpServletRequest req, HttpServletResponse resp) throws Exception;
    }

    @FunctionalInterface
    interface FilterHandler {
        void filter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain) throws Exception;
    }

    /** A servlet whose {@code service} (every method) runs {@code h}. */
    static HttpServlet of(Handler h) {
        return new HttpServlet() {
            @Override
            protected void service(HttpServletRequest req, HttpServletResponse resp)
                    throws ServletException, IOException {
                run(() -> h.handle(req, resp));
            }
        };
    }

    /** A servlet that answers {@code text/plain} with {@code body}. */
    static HttpServlet text(String body) {
        return of((req, resp) -> {
            resp.setContentType("text/plain;charset=UTF-8");
            resp.getWriter().print(body);
        });
    }

    static Filter filter(FilterHandler h) {
        return new Filter() {
            @Override
            public void doFilter(ServletRequest req, ServletResponse resp, FilterChain chain)
                    throws IOException, ServletException {
                run(() -> h.filter((HttpServletRequest) req, (HttpServletResponse) resp, chain));
            }
        };
    }

    /** Waits for a latch the test releases; fails the request (not the JVM) if the test never does. */
    static void await(CountDownLatch latch) throws InterruptedException {
        if (!latch.await(20, TimeUnit.SECONDS)) {
            throw new IllegalStateException("test latch was never released");
        }
    }

    private interface Body {
        void run() throws Exception;
    }

    private static void run(Body body) throws ServletException, IOException {
        try {
            body.run();
        } catch (IOException | ServletException | RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new ServletException(e);
        }
    }
}
