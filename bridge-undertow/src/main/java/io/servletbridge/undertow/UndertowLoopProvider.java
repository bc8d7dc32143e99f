package io.servletbridge.undertow;

import io.servletbridge.spi.ExchangeHandler;
import io.servletbridge.spi.LoopConfig;
import io.servletbridge.spi.LoopProvider;
import io.servletbridge.spi.LoopServer;

/**
 * Runs the bridge on undertow-core: Undertow's XNIO IO threads parse HTTP/1.1 and move bytes through its
 * non-blocking channels, and every request head is handed to the bridge on the IO thread that owns the connection.
 * Nothing is ever dispatched to Undertow's worker pool and no Undertow blocking API is used.
 *
 * <p>Found through {@link java.util.ServiceLoader} under the name {@code undertow}.
 */
public final class UndertowLoopProvider implements LoopProvider {

    /** Creates the provider; {@link java.util.ServiceLoader} needs the public no-argument constructor. */
    public UndertowLoopProvider() {
    }

    @Override
    public String name() {
        return "undertow";
    }

    @Override
    public LoopServer start(LoopConfig config, ExchangeHandler handler) throws Exception {
        return UndertowLoopServer.start(config, handler);
    }
}
