package io.servletbridge.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;

/**
 * Sits on the listening channel, before Netty's acceptor, and keeps at most {@code max} connections open. At the
 * limit it stops accepting (auto-read off), so further clients wait in the kernel's TCP backlog, as with Tomcat's
 * {@code maxConnections}; a closing connection lets the next one in.
 *
 * <p>Accepting happens in batches: connections the kernel handed over in the same batch as the one that reached the
 * limit are held here, unregistered and unread, which a client cannot tell from waiting in the backlog. All state is
 * confined to the acceptor's event loop.
 */
final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
    private final int max;
    private final ArrayDeque<Channel> held = new ArrayDeque<>();
    private int open;

    ConnectionLimiter(int max) {
        this.max = Math.max(1, max);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Channel child)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (open < max) {
            admit(ctx, child);
        } else {
            held.add(child);
        }
        if (open >= max) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    private void admit(ChannelHandlerContext ctx, Channel child) {
        open++;
        child.closeFuture().addListener(f -> {
            try {
                ctx.executor().execute(() -> released(ctx));
            } catch (RejectedExecutionException stopped) {
                // The acceptor is gone: nothing left to admit.
            }
        });
        ctx.fireChannelRead(child);
    }

    private void released(ChannelHandlerContext ctx) {
        open--;
        Channel next = held.poll();
        if (next != null) {
            admit(ctx, next);
        } else if (open < max && ctx.channel().isOpen()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Channel child;
        while ((child = held.poll()) != null) {
            child.unsafe().closeForcibly();
        }
        ctx.fireChannelInactive();
    }
}
