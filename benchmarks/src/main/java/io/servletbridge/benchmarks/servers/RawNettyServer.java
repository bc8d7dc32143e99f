package io.servletbridge.benchmarks.servers;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;

/**
 * The ceiling: Netty's HTTP codec and one handler, no servlet layer. Same transport choice as the bridge (native
 * epoll when it loads) and the same number of loop threads.
 */
public final class RawNettyServer {
    private RawNettyServer() {
    }

    public static void main(String[] args) throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = epoll ? new EpollEventLoopGroup(ServerMain.ioThreads())
                : new NioEventLoopGroup(ServerMain.ioThreads());
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class
                : NioServerSocketChannel.class;
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(),
                                new HttpObjectAggregator(2 * 1024 * 1024),
                                new RawNettyHandler());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        ServerMain.serveUntilDriverGoes(((InetSocketAddress) server.localAddress()).getPort());
    }
}
