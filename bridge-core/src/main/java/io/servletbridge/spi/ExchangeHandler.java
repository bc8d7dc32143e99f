package io.servletbridge.spi;

/**
 * The bridge side of the SPI: a loop calls {@link #handle} on its loop thread once per request head. The handler
 * must not block; it calls {@link Exchange#start} before returning and takes the exchange to a worker.
 */
@FunctionalInterface
public interface ExchangeHandler {
    void handle(Exchange exchange);
}
