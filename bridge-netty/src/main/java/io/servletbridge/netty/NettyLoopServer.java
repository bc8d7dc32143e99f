package io.servletbridge.netty;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.servletbridge.spi.ExchangeHandler;
import io.servletbridge.spi.ExchangeTracker;
import io.servletbridge.spi.LoopConfig;
import io.servletbridge.spi.LoopServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A bound Netty server: one acceptor thread, {@code ioThreads} connection loops, and the connections they own. */
final class NettyLoopServer implements LoopServer {
    private static final Logger log = LoggerFactory.getLogger(NettyLoopServer.class);

    /** Longest the loops get to run their last tasks once every connection is closed. */
    private static final long SHUTDOWN_TIMEOUT_SECONDS = 5;

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel serverChannel;
    private final ChannelGroup connections;
    private final ExchangeTracker exchanges;
    private final AtomicBoolean stopped = new AtomicBoolean();

    private NettyLoopServer(EventLoopGroup boss, EventLoopGroup workers, Channel serverChannel,
                            ChannelGroup connections, ExchangeTracker exchanges) {
        this.boss = boss;
        this.workers = workers;
        this.serverChannel = serverChannel;
        this.connections = connections;
        this.exchanges = exchanges;
    }

    static NettyLoopServer start(LoopConfig config, ExchangeHandler handler) throws Exception {
        Transport transport = Transport.select();
        int ioThreads = config.ioThreads() > 0 ? config.ioThreads() : Runtime.getRuntime().availableProcessors();
        EventLoopGroup boss = transport.newGroup(1, new DefaultThreadFactory("servletbridge-netty-accept"));
        EventLoopGroup workers = transport.newGroup(ioThreads, new DefaultThreadFactory("servletbridge-netty-io"));
        ChannelGroup connections = new DefaultChannelGroup("servletbridge-connections", GlobalEventExecutor.INSTANCE);
        ExchangeTracker exchanges = new ExchangeTracker();
        try {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(transport.serverChannel())
                    // Reads happen only when the bridge demands body bytes or a connection waits for its next
                    // request: that is the request body's backpressure.
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    // A client may send its request and shut down its side while it waits for the answer; epoll
                    // sees that at once (RDHUP) and would otherwise close the connection under the exchange.
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                    .handler(new ConnectionLimiter(config.maxConnections()))
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            connections.add(ch);
                            initPipeline(ch.pipeline(), config, handler, exchanges);
                        }
                    });
            Channel channel = bootstrap.bind(config.host(), config.port()).sync().channel();
            NettyLoopServer server = new NettyLoopServer(boss, workers, channel, connections, exchanges);
            log.info("Netty loop listening on {}:{} with {} I/O threads ({})", config.host(), server.port(),
                    ioThreads, transport.name());
            return server;
        } catch (Exception | Error e) {
            boss.shutdownGracefully(0, SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            throw e;
        }
    }

    static void initPipeline(ChannelPipeline pipeline, LoopConfig config, ExchangeHandler handler,
                             ExchangeTracker exchanges) {
        ExchangeChannelHandler exchange = new ExchangeChannelHandler(config, handler, exchanges);
        pipeline.addLast("head-timer", exchange.requestBytesWatch());
        // The guard decides what is acceptable framing and enforces our limits; the decoder's sit above them.
        pipeline.addLast("guard", new RequestStreamGuard(config));
        pipeline.addLast("http", new HttpRequestDecoder(new HttpDecoderConfig()
                .setMaxInitialLineLength(config.maxRequestLine() + 1024)
                .setMaxHeaderSize(config.maxHeaderBytes() + 1024)
                // Body pieces as large as the read buffers Undertow reads them with: half the hand-overs of 8 KiB.
                .setMaxChunkSize(16 * 1024)
                .setValidateHeaders(true)));
        // No response encoder: exchanges write encoded bytes (ResponseEncoder) and refusals ConnectionRefusal's.
        Duration idle = config.idleTimeout();
        if (idle != null && !idle.isZero() && !idle.isNegative()) {
            pipeline.addLast("idle", new IdleStateHandler(0, 0, idle.toMillis(), TimeUnit.MILLISECONDS));
        }
        pipeline.addLast("exchange", exchange);
    }

    @Override
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    @Override
    public ScheduledExecutorService scheduler() {
        return workers.next();
    }

    @Override
    public void stop(Duration grace) {
        if (onLoopThread()) {
            throw new IllegalStateException("stop() blocks and must not run on a loop thread");
        }
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        serverChannel.close().awaitUninterruptibly();
        exchanges.beginStopping();
        // Busy connections close after their exchange (see the handler). Idle ones stay open until in-flight work is
        // done: a request that still arrives on one reaches the bridge, which answers 503 with Connection: close.
        boolean interrupted = false;
        try {
            if (!exchanges.awaitIdle(grace == null ? Duration.ZERO : grace)) {
                log.warn("{} exchange(s) still in progress after the {} grace period; closing their connections",
                        exchanges.active(), grace);
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        connections.close().awaitUninterruptibly(SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        Future<?> w = workers.shutdownGracefully(0, SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        Future<?> b = boss.shutdownGracefully(0, SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        interrupted |= !awaitTermination(w) | !awaitTermination(b);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        log.info("Netty loop stopped");
    }

    /** Returns false when interrupted. */
    private static boolean awaitTermination(Future<?> termination) {
        try {
            termination.await(2 * SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    private boolean onLoopThread() {
        for (EventExecutor e : workers) {
            if (e.inEventLoop()) {
                return true;
            }
        }
        return boss.next().inEventLoop();
    }
}
