/**
 * Runs the bridge on Netty: {@link io.servletbridge.netty.NettyLoopProvider} binds a server whose event loops parse
 * HTTP/1.1 and present every request to the bridge as an {@link io.servletbridge.spi.Exchange}, reading the request
 * body only on demand and writing the response as the bridge hands it over.
 */
package io.servletbridge.netty;
