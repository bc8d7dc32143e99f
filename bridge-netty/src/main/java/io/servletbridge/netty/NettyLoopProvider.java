package io.servletbridge.netty;

import io.servletbridge.spi.ExchangeHandler;
import io.servletbridge.spi.LoopConfig;
import io.servletbridge.spi.LoopProvider;
import io.servletbridge.spi.LoopServer;

/**
 * The Netty server loop, picked by the name {@code netty}. It uses native epoll when that transport loads on this
 * machine and NIO otherwise; the system property {@code servletbridge.netty.transport=nio} forces NIO.
 */
public final class NettyLoopProvider implements LoopProvider {

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public NettyLoopProvider() {
    }

    @Override
    public String name() {
        return "netty";
    }

    @Override
    public LoopServer start(LoopConfig config, ExchangeHandler handler) throws Exception {
        return NettyLoopServer.start(config, handler);
    }
}
