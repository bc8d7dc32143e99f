package io.servletbridge.servlet;

import io.servletbridge.http.BadMessageException;
import io.servletbridge.http.HttpDate;
import io.servletbridge.spi.BodyChunk;
import io.servletbridge.spi.Exchange;
import io.servletbridge.spi.ExchangeEvents;
import io.servletbridge.spi.HttpFields;
import io.servletbridge.spi.RequestHead;
import io.servletbridge.spi.ResponseHead;
import io.servletbridge.spi.WriteCallback;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.ServletRequestEvent;
import jakarta.servlet.ServletRequestListener;
import jakarta.servlet.UnavailableException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request's journey through the container. The loop hands it body events; a worker runs it: map, filter,
 * serve, then finish the response exactly once (or abort it when it cannot be finished honestly).
 *
 * <p>Async requests (Servlet 6.1, 2.3.3.3) make this a small state machine: a dispatch runs on a container thread
 * ({@code DISPATCHED}); when it returns with async started, the exchange waits holding no thread
 * ({@code ASYNC_WAIT}) until the application completes or dispatches, a timeout fires, or the client goes away.
 * Requests made while a dispatch is still running are remembered and carried out when it returns, so no two
 * container threads are ever inside one exchange.
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
    private final SerialExecutor serial;
    private volatile boolean closed;
    private volatile boolean ended;
    private volatile boolean aborted;
    private volatile boolean bodyTimedOut;
    private int initializedListeners;

    /** Where the exchange stands; guarded by this. */
    private enum State { DISPATCHED, ASYNC_WAIT, COMPLETING, COMPLETED }

    private State state = State.DISPATCHED;
    private boolean asyncStarted;
    private boolean pendingComplete;
    private String pendingDispatch;
    private boolean timeoutFired;
    private boolean failed;
    private Throwable closedCause;
    private volatile BridgeAsyncContext async;
    private volatile ScheduledFuture<?> timeoutTimer;
    /** The thread inside a dispatch while a request timeout is armed; guarded by this. */
    private Thread dispatchThread;
    /** The request timeout fired: the container answered, and the application's objects are dead. */
    private volatile boolean timedOut;

    ServletExchange(ServletContainer container, Exchange spi) {
        this.container = container;
        this.spi = spi;
        this.head = spi.request();
        java.time.Duration readTimeout = container.bridgeContext().config().bodyReadTimeout();
        this.body = new RequestBodyStream(this, spi, head.hasBody(),
                io.servletbridge.spi.LoopConfig.enabled(readTimeout) ? readTimeout.toNanos() : 0);
        this.request = new BridgeRequest(this, head, body);
        this.response = new BridgeResponse(this, container.bridgeContext().config().responseBufferSize());
        this.serial = new SerialExecutor(this::onContainerThread);
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

    /**
     * Whether the response must end the connection: the server is stopping, or a body read timed out and the rest
     * of the request body, which the connection would have to skip, is of unknown length and may never come.
     */
    boolean closeAfterResponse() {
        return bodyTimedOut || container.stopping();
    }

    /** Told by the body stream (on the loop thread) that a reader gave up waiting. */
    void bodyReadTimedOut() {
        bodyTimedOut = true;
    }

    BridgeRequest request() {
        return request;
    }

    BridgeResponse response() {
        return response;
    }

    String id() {
        return Long.toString(id);
    }

    /**
     * Request and response objects are dead once their exchange ended: a background task that kept them gets a
     * clear error instead of reading or writing someone else's exchange.
     */
    void checkActive() {
        if (timedOut) {
            throw new IllegalStateException("The request " + head.method() + " " + head.target()
                    + " timed out after " + requestTimeout().toMillis() + " ms and was answered by the container");
        }
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
    public boolean onBodyData(BodyChunk chunk) {
        return body.onData(chunk);
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
        boolean waiting;
        synchronized (this) {
            closedCause = cause;
            waiting = state == State.ASYNC_WAIT;
        }
        if (waiting) {
            // An async request parked with no thread: tell its listeners (on a container thread) and end it.
            serial.execute(() -> handleClosed(cause));
        }
    }

    /**
     * For a request whose {@code Content-Length} body may have come with its head: the hand-over to a worker waits
     * for one loop task, in which the loop has decoded the rest of the socket read, and a body found whole is put in
     * the stream first. The worker's first read then finds its bytes instead of waiting for a loop round trip (on
     * one core: two context switches per upload). Nothing is read from the socket for a servlet that may never read,
     * and no body error can surface before the application reads (as in Tomcat and Jetty). A client waiting for
     * {@code 100 Continue} has sent nothing yet.
     *
     * @return false when the request does not qualify: the caller dispatches it now
     */
    boolean handOverWithBufferedBody() {
        if (head.contentLength() <= 0 || head.contentLength() > RequestBodyStream.WINDOW
                || expectsContinue()) {
            return false;
        }
        try {
            spi.loop().execute(() -> {
                java.util.List<BodyChunk> whole = spi.takeBufferedBody();
                if (whole != null) {
                    body.prefill(whole);
                }
                container.dispatch(this);
            });
            return true;
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            return false;
        }
    }

    /** The worker pool said no: answer 503 from the loop thread, without touching application code. */
    void rejectOverloaded() {
        body.discard();
        DirectResponse.send(spi, 503, "the server is busy, retry later", false, "Retry-After", "1");
    }

    /** Sends {@code 100 Continue} when the client waits for it, at the first read, as RFC 9110 intends. */
    void beforeFirstRead() {
        if (!response.isCommitted() && expectsContinue()) {
            spi.sendContinue();
        }
    }

    /** An HTTP/1.1 client holding its body back until it sees {@code 100 Continue}. */
    private boolean expectsContinue() {
        return head.isHttp11() && "100-continue".equalsIgnoreCase(head.headers().get("Expect"));
    }

    // Container threads

    /** Where container work runs: a request worker, or the background executor when the workers are all busy. */
    private void onContainerThread(Runnable work) {
        if (!container.executeOnContainerThread(work)) {
            LOG.error("{} {}: no container thread available for async work; aborting", head.method(), head.target());
            abort(new IllegalStateException("no container thread available"));
        }
    }

    /** The first dispatch, on a worker. */
    @Override
    public void run() {
        serial.enter();
        BridgeServletContext ctx = container.bridgeContext();
        try {
            String path = request.resolvePath(ctx.getContextPath());
            if (path == null) {
                response.resetForError(404, null);
            } else {
                ServletMapper.Match match = container.mapper().map(path);
                request.setMatch(match);
                if (!ctx.requestListeners.isEmpty()) {
                    ServletRequestEvent ev = new ServletRequestEvent(ctx, request);
                    for (ServletRequestListener l : ctx.requestListeners) {
                        l.requestInitialized(ev);
                        initializedListeners++;
                    }
                }
                invoke(DispatcherType.REQUEST, request, response, path, match);
            }
        } catch (Throwable t) {
            fail(t);
        }
        exitDispatch();
        serial.exit();
    }

    private void invoke(DispatcherType type, ServletRequest req, ServletResponse resp, String path,
                        ServletMapper.Match match) throws IOException, ServletException {
        request.enterDispatch(type);
        ScheduledFuture<?> deadline = armRequestTimeout();
        try {
            container.chainFor(type, path, match, request).doFilter(req, resp);
        } finally {
            disarmRequestTimeout(deadline);
        }
    }

    private java.time.Duration requestTimeout() {
        return container.bridgeContext().config().requestTimeout();
    }

    private ScheduledFuture<?> armRequestTimeout() {
        java.time.Duration timeout = requestTimeout();
        if (timeout == null || timedOut) {
            return null;
        }
        synchronized (this) {
            dispatchThread = Thread.currentThread();
        }
        // A timer on the loop thread: it holds no thread while the dispatch runs.
        return spi.loop().schedule(this::requestTimedOut, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void disarmRequestTimeout(ScheduledFuture<?> deadline) {
        if (deadline == null) {
            return;
        }
        deadline.cancel(false);
        synchronized (this) {
            dispatchThread = null;
        }
        if (timedOut) {
            // The interrupt was meant for this dispatch only: a pooled worker must not carry it into the next
            // request. No interrupt can come after dispatchThread was cleared above.
            Thread.interrupted();
        }
    }

    /**
     * On the loop thread: the dispatch ran past the request timeout. Answer for it (503, or a cut connection once
     * committed), make the application's later calls fail, interrupt the worker and say where it is stuck.
     */
    private void requestTimedOut() {
        Thread stuck;
        synchronized (this) {
            stuck = dispatchThread;
            if (stuck == null || timedOut) {
                return;
            }
            timedOut = true;
            failed = true;
        }
        long ms = requestTimeout().toMillis();
        IOException cause = new IOException("the request timed out after " + ms + " ms");
        boolean headSent = response.stream().failForTimeout(cause);
        body.onClosed(cause);
        if (headSent) {
            aborted = true;
            spi.abort(cause);
        } else {
            DirectResponse.send(spi, 503, "the request took longer than " + ms + " ms", true);
        }
        // Capturing another thread's stack is a brief handshake with it, not a wait on I/O or a lock.
        Throwable where = new RequestTimeoutStack(stuck);
        synchronized (this) {
            if (dispatchThread == stuck) {
                stuck.interrupt();
            }
        }
        LOG.warn("{} {}: no answer from the application after {} ms; answered {} and interrupted {}, which stays "
                        + "busy until the application returns", head.method(), head.target(), ms,
                headSent ? "by cutting the connection" : "503", stuck.getName(), where);
    }

    /** Carries a stuck worker's stack into the log, as if it were an exception thrown there. */
    private static final class RequestTimeoutStack extends Throwable {
        RequestTimeoutStack(Thread stuck) {
            super("stack of " + stuck.getName() + " when the request timed out", null, false, true);
            setStackTrace(stuck.getStackTrace());
        }
    }

    /**
     * A dispatch (the first, an async one, or a listener phase) has returned to the container: carry out what the
     * application asked for meanwhile, or wait for it to ask.
     */
    private void exitDispatch() {
        while (true) {
            String target;
            synchronized (this) {
                if (timedOut) {
                    // The container answered for this request: nothing of the application's runs for it again.
                    pendingDispatch = null;
                }
                target = pendingDispatch;
                if (target == null) {
                    if (pendingComplete || !asyncStarted || failed) {
                        state = State.COMPLETING;
                    } else {
                        state = State.ASYNC_WAIT;
                        if (timeoutTimer == null) {
                            // The clock starts when the dispatch returns, with the timeout the application set.
                            scheduleTimeout();
                        }
                        if (timeoutFired) {
                            serial.execute(this::handleTimeout);
                        }
                        if (closedCause != null) {
                            Throwable cause = closedCause;
                            serial.execute(() -> handleClosed(cause));
                        }
                    }
                } else {
                    pendingDispatch = null;
                    asyncStarted = false;
                }
            }
            if (target == null) {
                break;
            }
            runAsyncDispatch(target);
        }
        if (state == State.COMPLETING) {
            complete();
        }
    }

    private void runAsyncDispatch(String target) {
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        String query = q < 0 ? null : target.substring(q + 1);
        try {
            ServletMapper.Match match = container.mapper().map(path);
            request.asyncDispatchTo(path, query, match);
            ServletRequest req = async.getRequest();
            ServletResponse resp = async.getResponse();
            invoke(DispatcherType.ASYNC, req, resp, path, match);
        } catch (Throwable t) {
            fail(t);
        }
    }

    // Async API, called by the application from any thread

    /** {@code request.startAsync(...)}: valid only inside a dispatch whose whole chain supports async. */
    BridgeAsyncContext startAsync(ServletRequest req, ServletResponse resp, boolean originalPair) {
        synchronized (this) {
            if (state != State.DISPATCHED) {
                throw new IllegalStateException("startAsync is only allowed while the request is being dispatched");
            }
            if (!request.asyncSupportedHere()) {
                throw new IllegalStateException("A filter or servlet in this request's chain does not support async "
                        + "(asyncSupported=false)");
            }
            if (asyncStarted) {
                throw new IllegalStateException("startAsync was already called in this dispatch");
            }
            if (response.stream().isClosed()) {
                throw new IllegalStateException("The response has already been closed");
            }
            asyncStarted = true;
            pendingComplete = false;
            timeoutFired = false;
            if (async == null) {
                async = new BridgeAsyncContext(this);
            }
        }
        ScheduledFuture<?> previous = timeoutTimer;
        if (previous != null) {
            previous.cancel(false);
            timeoutTimer = null;
        }
        async.startCycle(req, resp, originalPair);
        return async;
    }

    private void scheduleTimeout() {
        long ms = async.getTimeout();
        if (ms > 0) {
            // Runs on the loop thread, which only queues the work: the listeners run on a container thread.
            timeoutTimer = spi.loop().schedule(() -> serial.execute(this::handleTimeout), ms, TimeUnit.MILLISECONDS);
        }
    }

    synchronized boolean isAsyncStarted() {
        return asyncStarted && !pendingComplete && pendingDispatch == null && state != State.COMPLETING
                && state != State.COMPLETED;
    }

    BridgeAsyncContext asyncContext() {
        synchronized (this) {
            if (async == null || !asyncStarted) {
                throw new IllegalStateException("The request is not in async mode");
            }
            return async;
        }
    }

    /** The timeout may be set only while the dispatch that started async is still running (AsyncContext Javadoc). */
    synchronized void checkTimeoutSettable() {
        checkAsyncCycleOpen();
        if (state != State.DISPATCHED) {
            throw new IllegalStateException("setTimeout must be called before the dispatch that started async returns");
        }
    }

    /** Listeners and timeout may change only while the async cycle has not been completed or dispatched. */
    synchronized void checkAsyncCycleOpen() {
        if (!asyncStarted || pendingComplete || pendingDispatch != null || state == State.COMPLETING
                || state == State.COMPLETED) {
            throw new IllegalStateException("The async cycle has already been completed or dispatched");
        }
    }

    void asyncComplete() {
        endAsyncCycle(null);
    }

    void asyncDispatch(String target) {
        endAsyncCycle(target);
    }

    /** Records how the async cycle ends (complete, or dispatch to {@code target}); resumes now if it is parked. */
    private void endAsyncCycle(String dispatchTarget) {
        boolean now;
        synchronized (this) {
            if (!asyncStarted || pendingComplete || pendingDispatch != null || state == State.COMPLETING
                    || state == State.COMPLETED) {
                throw new IllegalStateException((dispatchTarget == null ? "complete()" : "dispatch()")
                        + " is not allowed now: the async cycle has already been completed or dispatched, or was"
                        + " never started");
            }
            if (dispatchTarget == null) {
                pendingComplete = true;
            } else {
                pendingDispatch = dispatchTarget;
            }
            now = state == State.ASYNC_WAIT;
        }
        if (now) {
            serial.execute(this::resume);
        }
    }

    void startOnContainerThread(Runnable work) {
        Runnable withContext = () -> {
            try {
                work.run();
            } catch (RuntimeException | Error e) {
                LOG.error("{} {}: AsyncContext.start task failed", head.method(), head.target(), e);
            }
        };
        onContainerThread(withContext);
    }

    /** A queued complete() or dispatch() finds the exchange waiting: carry it out here. */
    private void resume() {
        synchronized (this) {
            if (state != State.ASYNC_WAIT) {
                return;
            }
            state = State.DISPATCHED;
        }
        exitDispatch();
    }

    private void handleTimeout() {
        synchronized (this) {
            if (state == State.DISPATCHED && asyncStarted) {
                timeoutFired = true;
                return;
            }
            if (state != State.ASYNC_WAIT) {
                return;
            }
            state = State.DISPATCHED;
        }
        async.fireTimeout();
        boolean unanswered;
        synchronized (this) {
            unanswered = !pendingComplete && pendingDispatch == null;
            if (unanswered) {
                pendingComplete = true;
            }
        }
        if (unanswered) {
            // No listener completed or dispatched: the container answers, as with an error dispatch without an
            // error page (Tomcat and Jetty both send 500).
            LOG.warn("{} {}: async request timed out after {} ms", head.method(), head.target(), async.getTimeout());
            if (!response.stream().isCommitted()) {
                response.resetForError(500, null);
            } else {
                failed = true;
                abort(new IOException("async request timed out after the response was committed"));
            }
        }
        exitDispatch();
    }

    private void handleClosed(Throwable cause) {
        synchronized (this) {
            if (state != State.ASYNC_WAIT) {
                return;
            }
            state = State.DISPATCHED;
            pendingComplete = true;
        }
        async.fireError(cause);
        body.notifyListenerError(cause);
        response.stream().notifyListenerError(cause);
        exitDispatch();
    }

    /**
     * A {@code ReadListener} has heard {@code onError} for a body read timeout (on a container thread, in turn): the
     * async listeners hear it too, and if nobody completed or dispatched, the request ends with 408 (or a cut
     * connection once committed) rather than waiting for the async timeout.
     */
    void endAfterBodyTimeout(Throwable cause) {
        synchronized (this) {
            if (state != State.ASYNC_WAIT) {
                return;
            }
            state = State.DISPATCHED;
        }
        if (async != null) {
            async.fireError(cause);
        }
        boolean unanswered;
        synchronized (this) {
            unanswered = !pendingComplete && pendingDispatch == null;
            if (unanswered) {
                pendingComplete = true;
            }
        }
        if (unanswered) {
            LOG.debug("{} {}: request body read timed out", head.method(), head.target());
            if (!response.stream().isCommitted()) {
                response.resetForError(408, null);
            } else {
                failed = true;
                abort(cause);
            }
        }
        exitDispatch();
    }

    /** Work for a read or write listener, run in turn with every other piece of this exchange's container work. */
    void listenerCallback(Runnable callback) {
        serial.execute(() -> {
            synchronized (this) {
                if (state == State.COMPLETING || state == State.COMPLETED) {
                    return;
                }
            }
            try {
                callback.run();
            } catch (RuntimeException | Error e) {
                listenerFailed(e);
            }
        });
    }

    /**
     * A read or write listener threw: as Tomcat does, the failure ends the request with a 500 (or a cut connection
     * once committed) instead of leaving it parked until the timeout.
     */
    private void listenerFailed(Throwable e) {
        synchronized (this) {
            if (state != State.ASYNC_WAIT) {
                return;
            }
            state = State.DISPATCHED;
        }
        fail(e);
        exitDispatch();
    }

    // Failure and completion

    private void fail(Throwable t) {
        Throwable root = rootCause(t);
        if (timedOut) {
            // The container has answered already; this is most likely the application meeting its dead objects.
            LOG.debug("{} {}: failed after its request timeout: {}", head.method(), head.target(), root.toString());
            return;
        }
        // A write failing because the connection broke may come before the loop's close event: a client abort
        // either way, which is not a server error (Tomcat logs these at debug level too).
        if (closed || causedBy(t, ClientAbortException.class)) {
            LOG.debug("{} {}: client went away: {}", head.method(), head.target(), root.toString());
            failed = true;
            abort(t);
            return;
        }
        int status;
        int retryAfter = -1;
        if (bodyTimedOut && causedBy(t, java.net.SocketTimeoutException.class)) {
            // RFC 9110 15.5.9: the request did not arrive in time. Tomcat answers a read timeout the same way.
            status = 408;
            LOG.debug("{} {}: request body read timed out: {}", head.method(), head.target(), root.toString());
        } else if (root instanceof BadMessageException bad) {
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
        synchronized (this) {
            failed = true;
        }
        if (async != null && asyncStarted) {
            async.fireError(t);
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

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        int depth = 0;
        for (Throwable cur = t; cur != null && depth < 16; cur = cur.getCause(), depth++) {
            if (type.isInstance(cur)) {
                return true;
            }
        }
        return false;
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

    /** Ends the exchange exactly once: the response, async listeners, request listeners, then the objects die. */
    private void complete() {
        ScheduledFuture<?> timer = timeoutTimer;
        if (timer != null) {
            timer.cancel(false);
        }
        if (!aborted && !timedOut) {
            try {
                response.finish();
            } catch (IOException | RuntimeException e) {
                LOG.debug("{} {}: response could not be finished: {}", head.method(), head.target(), e.toString());
                spi.abort(e);
            }
        }
        body.discard();
        if (async != null) {
            async.fireComplete();
        }
        BridgeServletContext ctx = container.bridgeContext();
        List<ServletRequestListener> listeners = ctx.requestListeners;
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
        synchronized (this) {
            state = State.COMPLETED;
        }
        ended = true;
    }
}
