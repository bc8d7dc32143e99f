package io.servletbridge.undertow;

import io.servletbridge.spi.ExchangeHandler;
import io.servletbridge.spi.ExchangeTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.servletbridge.spi.LoopConfig;
import io.servletbridge.spi.LoopServer;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.protocol.http.HttpOpenListener;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One listening socket served by an XNIO worker and Undertow's HTTP/1.1 open listener.
 *
 * <p>This wires the pieces {@code Undertow.builder()} would, by hand, for one reason: {@code stop} must stop
 * accepting while connections that are mid-exchange live on, and Undertow's only public way to stop accepting
 * ({@code ListenerInfo.suspend()}) also closes every open connection. Owning the accepting channel lets us close
 * just that. It also keeps Undertow's pipelined-response buffering off, so a flushed write really left the process.
 */
final class UndertowLoopServer implements LoopServer {
    private static final Logger LOG = LoggerFactory.getLogger(UndertowLoopServer.class);


    /** Bounds how long stop() waits for the IO threads to exit once every connection is closed. */
    private static final long THREAD_EXIT_MILLIS = 5_000;

    private final XnioWorker worker;
    private final ByteBufferPool buffers;
    private final AcceptingChannel<StreamConnection> acceptor;
    private final HttpOpenListener openListener;
    private final AcceptLimiter accepts;
    private final ExchangeTracker exchanges;
    private final int port;
    private final AtomicBoolean stopping = new AtomicBoolean();

    private UndertowLoopServer(XnioWorker worker, ByteBufferPool buffers, AcceptingChannel<StreamConnection> acceptor,
                               HttpOpenListener openListener, AcceptLimiter accepts, ExchangeTracker exchanges) {
        this.worker = worker;
        this.buffers = buffers;
        this.acceptor = acceptor;
        this.openListener = openListener;
        this.accepts = accepts;
        this.exchanges = exchanges;
        this.port = acceptor.getLocalAddress(InetSocketAddress.class).getPort();
    }

    static UndertowLoopServer start(LoopConfig config, ExchangeHandler handler) throws IOException {
        int ioThreads = config.ioThreads() > 0 ? config.ioThreads() : Runtime.getRuntime().availableProcessors();
        XnioWorker worker = Xnio.getInstance(Undertow.class.getClassLoader()).createWorker(OptionMap.builder()
                .set(Options.WORKER_NAME, "bridge-undertow")
                .set(Options.WORKER_IO_THREADS, ioThreads)
                // XNIO insists on a task pool; one idle thread is the smallest it takes. We never dispatch to it.
                .set(Options.WORKER_TASK_CORE_THREADS, 1)
                .set(Options.WORKER_TASK_MAX_THREADS, 1)
                .set(Options.TCP_NODELAY, true)
                .getMap());
        // 32 KiB socket reads (Undertow's own default is 16): a head with a body of up to about 30 KiB arrives in one
        // read, and a body that came whole with its head is handed to the servlet with the request (no round trip
        // to the loop at its first read). Netty's adaptive reads grow to 64 KiB. Idle connections hold no buffer.
        // A shared free list of up to 256 buffers (8 MiB), because request pieces are lent to workers and come back
        // from their threads: with Undertow's usual -1 every buffer returned by a thread other than the IO thread
        // that took it is freed at once, and the IO thread allocates (and zeroes) a new one for its next read.
        ByteBufferPool buffers = new DefaultByteBufferPool(true, 32 * 1024, 256, 4);
        try {
            ExchangeTracker exchanges = new ExchangeTracker();
            HttpOpenListener openListener = new HttpOpenListener(buffers, httpOptions(config));
            openListener.setRootHandler(new BridgeHttpHandler(handler, config, exchanges));
            AcceptLimiter accepts = new AcceptLimiter(openListener, config,
                    LoopConfig.enabled(config.headerTimeout()) ? config.headerTimeout().toNanos() : 0);
            AcceptingChannel<StreamConnection> acceptor = worker.createStreamConnectionServer(
                    new InetSocketAddress(config.host(), config.port()),
                    accepts,
                    OptionMap.builder()
                            .set(Options.WORKER_IO_THREADS, worker.getIoThreadCount())
                            .set(Options.TCP_NODELAY, true)
                            .set(Options.REUSE_ADDRESSES, true)
                            .set(Options.BALANCING_TOKENS, 1)
                            .set(Options.BALANCING_CONNECTIONS, 2)
                            .set(Options.BACKLOG, 1000)
                            .getMap());
            acceptor.resumeAccepts();
            return new UndertowLoopServer(worker, buffers, acceptor, openListener, accepts, exchanges);
        } catch (IOException | RuntimeException e) {
            worker.shutdownNow();
            buffers.close();
            throw e;
        }
    }

    private static OptionMap httpOptions(LoopConfig config) {
        return OptionMap.builder()
                // The bridge writes Date and Connection itself; Undertow adds only framing and "close".
                .set(UndertowOptions.ALWAYS_SET_DATE, false)
                .set(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, false)
                .set(UndertowOptions.ENABLE_HTTP2, false)
                // ValidatingSourceConduit enforces our limits (414, 431) before Undertow parses a head; Undertow's own
                // (one limit over line and fields together, answered with 400) sit above them, as a backstop.
                .set(UndertowOptions.MAX_HEADER_SIZE, config.maxRequestLine() + config.maxHeaderBytes() + 1024)
                .set(UndertowOptions.MAX_HEADERS, config.maxHeaderCount() + 16)
                // No Undertow timeouts: IDLE_TIMEOUT would also cut a servlet that thinks longer than it, and
                // REQUEST_PARSE_TIMEOUT closes without a word. NO_REQUEST_TIMEOUT would take a head the validator
                // still holds back for silence. RequestHeadTimer keeps both the idle and the head clock instead.
                // The bridge gets the raw target and parses the query itself: decoding here is wasted work, and
                // Undertow's 1000-parameter cap would reject requests the Netty loop accepts.
                .set(UndertowOptions.DECODE_URL, false)
                .set(UndertowOptions.MAX_PARAMETERS, Integer.MAX_VALUE)
                // Undertow refuses an empty Host, which RFC 9112 3.2 allows (and Netty, Jetty, the bridge accept);
                // RequestHeadRules checks Host, missing, repeated or malformed, for both loops alike.
                .set(UndertowOptions.REQUIRE_HOST_HTTP11, false)
                .getMap();
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public ScheduledExecutorService scheduler() {
        return new IoThreadScheduler(worker.getIoThread());
    }

    @Override
    public void stop(Duration grace) {
        if (XnioIoThread.currentThread() != null) {
            throw new IllegalStateException("stop() blocks; call it from a thread that is not a loop thread");
        }
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        IoUtils.safeClose(acceptor);
        accepts.closeHeld();
        // Open connections stay until in-flight work is done: a request that still arrives on one reaches the
        // bridge, which answers 503 with Connection: close.
        exchanges.beginStopping();
        try {
            if (!exchanges.awaitIdle(grace == null ? Duration.ZERO : grace)) {
                LOG.warn("{} exchange(s) still in progress after the {} grace period; closing their connections",
                        exchanges.active(), grace);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        openListener.closeConnections();
        worker.shutdown();
        try {
            if (!worker.awaitTermination(THREAD_EXIT_MILLIS, TimeUnit.MILLISECONDS)) {
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        }
        buffers.close();
    }
}
