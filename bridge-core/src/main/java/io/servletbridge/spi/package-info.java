/**
 * The Exchange SPI: the small contract between a non-blocking server loop and the bridge. A loop implements
 * {@link io.servletbridge.spi.LoopProvider} and {@link io.servletbridge.spi.Exchange}; the bridge implements
 * {@link io.servletbridge.spi.ExchangeHandler} and {@link io.servletbridge.spi.ExchangeEvents}.
 */
package io.servletbridge.spi;
