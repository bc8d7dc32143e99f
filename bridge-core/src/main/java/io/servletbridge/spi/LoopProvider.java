package io.servletbridge.spi;

/**
 * A server loop the bridge can run on, found through {@link java.util.ServiceLoader}. Each backend module ships
 * one, registered in {@code META-INF/services/io.servletbridge.spi.LoopProvider}.
 */
public interface LoopProvider {

    /** The short name users pick it by: {@code netty} or {@code undertow}. */
    String name();

    /**
     * Binds and starts serving, handing every request head to {@code handler} on a loop thread.
     *
     * @throws Exception when the port cannot be bound or the loop cannot start
     */
    LoopServer start(LoopConfig config, ExchangeHandler handler) throws Exception;
}
