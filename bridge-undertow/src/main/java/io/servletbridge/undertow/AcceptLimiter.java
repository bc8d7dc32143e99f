package io.servletbridge.undertow;

import io.servletbridge.spi.LoopConfig;

import io.undertow.server.protocol.http.HttpOpenListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.channels.AcceptingChannel;

import java.io.IOException;
import java.util.ArrayDeque;

/**
 * Accepts connections for Undertow's open listener, keeping at most {@code max} open: at the limit it suspends
 * accepting, so further clients wait in the kernel's TCP backlog (Tomcat's {@code maxConnections}), and a closing
 * connection resumes it. Each connection also gets its {@link RequestHeadTimer} before Undertow sees it.
 *
 * <p>Several IO threads may accept at once, so one may take a connection past the limit while another suspends:
 * such a connection is held, unread, until a slot frees, which a client cannot tell from waiting in the backlog.
 * The counters sit behind a monitor that is only ever held for a few field updates.
 */
final class AcceptLimiter implements ChannelListener<AcceptingChannel<StreamConnection>> {
    private static final Logger LOG = LoggerFactory.getLogger(AcceptLimiter.class);

    private final HttpOpenListener openListener;
    private final int max;
    private final long headerTimeoutNanos;
    private final LoopConfig config;
    private final ArrayDeque<StreamConnection> held = new ArrayDeque<>();
    private int open;
    private AcceptingChannel<StreamConnection> acceptor;

    AcceptLimiter(HttpOpenListener openListener, LoopConfig config, long headerTimeoutNanos) {
        this.openListener = openListener;
        this.config = config;
        int max = config.maxConnections();
        this.max = Math.max(1, max);
        this.headerTimeoutNanos = headerTimeoutNanos;
    }

    @Override
    public void handleEvent(AcceptingChannel<StreamConnection> server) {
        StreamConnection accepted;
        try {
            accepted = server.accept();
        } catch (IOException e) {
            LOG.debug("Accept failed on {}", server, e);
            return;
        }
        if (accepted == null) {
            return;
        }
        boolean admit;
        synchronized (this) {
            acceptor = server;
            admit = open < max;
            if (admit) {
                open++;
            } else {
                held.add(accepted);
            }
            if (open >= max) {
                server.suspendAccepts();
            }
        }
        if (admit) {
            serve(accepted);
        }
    }

    /** Hands a connection to Undertow; runs on the connection's own IO thread or the one that accepted it. */
    private void serve(StreamConnection connection) {
        // The timer wraps the socket (it must see raw bytes, even of a head the validator still holds back); the
        // validator wraps the timer and is what Undertow's parser reads from.
        RequestHeadTimer timer = RequestHeadTimer.install(connection, headerTimeoutNanos,
                LoopConfig.enabled(config.idleTimeout()) ? config.idleTimeout().toNanos() : 0);
        ValidatingSourceConduit.install(connection, config);
        try {
            openListener.handleEvent(connection);
        } catch (RuntimeException | Error e) {
            LOG.warn("Undertow failed to open a connection from {}", connection.getPeerAddress(), e);
            IoUtils.safeClose(connection);
        }
        // Undertow installs its own close listener when it wraps the connection: ours goes around it.
        ChannelListener<? super StreamConnection> undertows = connection.getCloseListener();
        boolean[] released = new boolean[1];
        connection.setCloseListener(closed -> {
            if (!released[0]) {
                released[0] = true;
                released();
            }
            if (timer != null) {
                timer.cancel();
            }
            if (undertows != null) {
                ChannelListeners.invokeChannelListener(closed, undertows);
            }
        });
        if (!connection.isOpen() && !released[0]) {
            released[0] = true;
            released();
        }
    }

    private void released() {
        StreamConnection next;
        synchronized (this) {
            next = held.poll();
            if (next == null) {
                open--;
                if (open < max && acceptor != null && acceptor.isOpen()) {
                    acceptor.resumeAccepts();
                }
            }
        }
        if (next != null) {
            StreamConnection admitted = next;
            try {
                admitted.getIoThread().execute(() -> serve(admitted));
            } catch (RuntimeException stopped) {
                IoUtils.safeClose(admitted);
            }
        }
    }

    /** Closes connections still held at the limit: the server is stopping. */
    void closeHeld() {
        StreamConnection c;
        while (true) {
            synchronized (this) {
                c = held.poll();
            }
            if (c == null) {
                return;
            }
            IoUtils.safeClose(c);
        }
    }
}
