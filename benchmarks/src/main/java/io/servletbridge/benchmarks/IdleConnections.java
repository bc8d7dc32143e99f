package io.servletbridge.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens many keep-alive connections, completes one request on each and then leaves them open and silent: what a
 * server pays per connected but idle client (browsers, long-poll clients behind a balancer).
 */
final class IdleConnections implements AutoCloseable {
    private static final byte[] REQUEST = ("GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BODY_END = "Hello, World!".getBytes(StandardCharsets.US_ASCII);

    private final List<Socket> sockets = new ArrayList<>();

    /**
     * One connection at a time, each answered before the next opens, so the server's accept backlog never
     * overflows and the result does not depend on SYN retry timing.
     */
    void open(int port, int count) throws IOException {
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
        byte[] buf = new byte[1024];
        for (int i = 0; i < count; i++) {
            Socket s = new Socket();
            sockets.add(s);
            s.setSoTimeout(10_000);
            s.connect(address, 10_000);
            s.getOutputStream().write(REQUEST);
            readResponse(s.getInputStream(), buf, i);
        }
    }

    /** Reads until the hello body has arrived; the response is small enough that its tail is in the last read. */
    private static void readResponse(InputStream in, byte[] buf, int index) throws IOException {
        int filled = 0;
        while (true) {
            int n = in.read(buf, filled, buf.length - filled);
            if (n < 0) {
                throw new IOException("connection " + index + " closed before its response ended");
            }
            filled += n;
            if (endsWithBody(buf, filled)) {
                return;
            }
            if (filled == buf.length) {
                throw new IOException("connection " + index + ": response larger than expected");
            }
        }
    }

    private static boolean endsWithBody(byte[] buf, int filled) {
        if (filled < BODY_END.length) {
            return false;
        }
        for (int i = 0; i < BODY_END.length; i++) {
            if (buf[filled - BODY_END.length + i] != BODY_END[i]) {
                return false;
            }
        }
        return true;
    }

    /** Connections the server closed meanwhile (idle timeout, limit); a nonzero count makes the row suspect. */
    int closedByServer() {
        int closed = 0;
        for (Socket s : sockets) {
            try {
                s.setSoTimeout(1);
                if (s.getInputStream().read() == -1) {
                    closed++;
                }
            } catch (java.net.SocketTimeoutException stillOpen) {
                // nothing to read and not closed: the connection is alive and idle, as intended
            } catch (IOException e) {
                closed++;
            }
        }
        return closed;
    }

    @Override
    public void close() {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing a dead socket has nothing left to do
            }
        }
        sockets.clear();
    }
}
