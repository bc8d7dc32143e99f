/**
 * The Undertow loop: {@link io.servletbridge.undertow.UndertowLoopProvider} serves HTTP/1.1 on undertow-core's XNIO
 * IO threads and presents each request to the bridge through the Exchange SPI, using only Undertow's non-blocking
 * channels. Everything but the provider is internal.
 */
package io.servletbridge.undertow;
