package io.servletbridge.netty;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import java.util.concurrent.ThreadFactory;

/**
 * Native epoll. Kept in its own class so that nothing touches the epoll types unless {@link Transport#select}
 * found them on the class path first.
 */
final class EpollTransport implements Transport {

    private EpollTransport() {
    }

    /** The transport, or null when the native library does not load on this machine. */
    static Transport ifAvailable() {
        return Epoll.isAvailable() ? new EpollTransport() : null;
    }

    static String unavailabilityCause() {
        Throwable cause = Epoll.unavailabilityCause();
        return cause == null ? "unknown" : String.valueOf(cause);
    }

    @Override
    public String name() {
        return "epoll";
    }

    @Override
    public EventLoopGroup newGroup(int threads, ThreadFactory threadFactory) {
        return new EpollEventLoopGroup(threads, threadFactory);
    }

    @Override
    public Class<? extends ServerChannel> serverChannel() {
        return EpollServerSocketChannel.class;
    }
}
