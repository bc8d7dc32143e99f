package io.servletbridge.netty;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The socket implementation under the event loops: native epoll where it loads, NIO everywhere. */
interface Transport {

    /** Set to {@code nio} to skip native epoll, e.g. to compare both or to dodge a kernel quirk. */
    String PROPERTY = "servletbridge.netty.transport";

    String name();

    EventLoopGroup newGroup(int threads, ThreadFactory threadFactory);

    Class<? extends ServerChannel> serverChannel();

    static Transport select() {
        Logger log = LoggerFactory.getLogger(Transport.class);
        if ("nio".equalsIgnoreCase(System.getProperty(PROPERTY))) {
            log.info("Netty transport: nio (forced by -D{}=nio)", PROPERTY);
            return Nio.INSTANCE;
        }
        String why;
        try {
            // The epoll jar is optional: probe for it by name so that this class never links against it.
            Class.forName("io.netty.channel.epoll.Epoll", false, Transport.class.getClassLoader());
            Transport epoll = EpollTransport.ifAvailable();
            if (epoll != null) {
                log.info("Netty transport: native epoll");
                return epoll;
            }
            why = EpollTransport.unavailabilityCause();
        } catch (ClassNotFoundException e) {
            why = "netty-transport-native-epoll is not on the class path";
        } catch (LinkageError e) {
            why = String.valueOf(e);
        }
        log.info("Netty transport: nio (native epoll unavailable: {})", why);
        return Nio.INSTANCE;
    }

    /** The JDK selector transport, always present. */
    final class Nio implements Transport {
        static final Nio INSTANCE = new Nio();

        private Nio() {
        }

        @Override
        public String name() {
            return "nio";
        }

        @Override
        public EventLoopGroup newGroup(int threads, ThreadFactory threadFactory) {
            return new NioEventLoopGroup(threads, threadFactory);
        }

        @Override
        public Class<? extends ServerChannel> serverChannel() {
            return NioServerSocketChannel.class;
        }
    }
}
