package io.servletbridge.examples.demo;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one JSON answer of an async request: whichever comes first — the work's result, its failure, or the
 * timeout — writes the response and completes the {@link AsyncContext}; later attempts are ignored.
 *
 * <p>Without the guard a timeout racing a late result would write twice or complete an already completed context.
 */
final class AsyncReply {
    private static final Logger LOG = LoggerFactory.getLogger(AsyncReply.class);

    private final AsyncContext async;
    private final String what;
    private final AtomicBoolean answered = new AtomicBoolean();

    private AsyncReply(AsyncContext async, String what) {
        this.async = async;
        this.what = what;
    }

    /**
     * Puts the request into async mode: the servlet's {@code service} may return and free its worker thread while
     * the answer is still being worked out. After {@code timeout} the client gets 504.
     */
    static AsyncReply start(HttpServletRequest request, Duration timeout) {
        AsyncContext async = request.startAsync();
        async.setTimeout(timeout.toMillis());
        AsyncReply reply = new AsyncReply(async, request.getMethod() + " " + request.getRequestURI());
        async.addListener(new AsyncListener() {
            @Override
            public void onTimeout(AsyncEvent event) {
                reply.send(HttpServletResponse.SC_GATEWAY_TIMEOUT,
                        Map.of("error", "no answer within " + timeout.toMillis() + " ms"));
            }

            @Override
            public void onError(AsyncEvent event) {
                // The container ends the exchange itself (typically the client went away): nothing left to send.
                reply.answered.set(true);
                LOG.debug("{} ended with an error", reply.what, event.getThrowable());
            }

            @Override
            public void onComplete(AsyncEvent event) {
            }

            @Override
            public void onStartAsync(AsyncEvent event) {
            }
        });
        return reply;
    }

    /** Writes {@code body} as JSON with {@code status} and completes, unless an answer was already sent. */
    boolean send(int status, Map<String, ?> body) {
        if (!answered.compareAndSet(false, true)) {
            return false;
        }
        try {
            HttpServletResponse response = (HttpServletResponse) async.getResponse();
            response.setStatus(status);
            response.setContentType("application/json;charset=utf-8");
            response.setHeader("Cache-Control", "no-store");
            response.getWriter().write(Json.write(body));
        } catch (IOException | IllegalStateException e) {
            LOG.debug("Could not answer {}", what, e);
        } finally {
            try {
                async.complete();
            } catch (IllegalStateException e) {
                LOG.debug("{} was already complete", what, e);
            }
        }
        return true;
    }
}
