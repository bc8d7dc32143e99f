package io.servletbridge.benchmarks.soak;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One client connection speaking HTTP/1.1 by hand, so the soak can do what library clients avoid: stop midway,
 * reset, send garbage, read slowly. Every read has a timeout, so a server that stops answering shows up as an error
 * rather than a stuck client.
 */
final class Connection implements Closeable {
    static final int READ_TIMEOUT_MS = 30_000;
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /**
     * A parsed response.
     *
     * @param bodyLength body bytes received
     * @param body       the body when it was kept (small responses), else null
     * @param closes     whether the server said {@code Connection: close} or ended the body by closing
     */
    record Response(int status, long bodyLength, byte[] body, boolean closes) {
    }

    Connection(int port) throws IOException {
        socket = new Socket(LOOPBACK, port);
        socket.setSoTimeout(READ_TIMEOUT_MS);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        out = socket.getOutputStream();
    }

    void write(byte[] bytes, int off, int len) throws IOException {
        out.write(bytes, off, len);
        out.flush();
    }

    void write(String ascii) throws IOException {
        byte[] b = ascii.getBytes(StandardCharsets.ISO_8859_1);
        write(b, 0, b.length);
    }

    /** Sends a request without a body and reads its response. */
    Response send(String request, int keepUpTo, long slowPause) throws IOException {
        write(request);
        return read(keepUpTo, slowPause);
    }

    /** Reads some response bytes raw, returning how many (-1 at EOF): for clients that stop midway. */
    int readSome(byte[] buf) throws IOException {
        return in.read(buf);
    }

    /**
     * Reads one final response.
     *
     * @param keepUpTo   bodies up to this size are kept for checking
     * @param slowPause  when positive, the client sleeps this long after every 64 KiB of body: a slow reader
     */
    Response read(int keepUpTo, long slowPause) throws IOException {
        while (true) {
            String statusLine = line();
            if (statusLine.length() < 12 || !statusLine.startsWith("HTTP/1.")) {
                throw new IOException("bad status line: " + statusLine);
            }
            int status = Integer.parseInt(statusLine.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            boolean closes = statusLine.startsWith("HTTP/1.0");
            for (String h; !(h = line()).isEmpty(); ) {
                int colon = h.indexOf(':');
                if (colon <= 0) {
                    throw new IOException("bad header line: " + h);
                }
                String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = h.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.contains("chunked");
                    case "connection" -> closes = value.contains("close");
                    default -> { }
                }
            }
            if (status < 200) {
                continue;
            }
            ByteArrayOutputStream kept = new ByteArrayOutputStream();
            long got;
            if (status == 204 || status == 304) {
                got = 0;
            } else if (chunked) {
                got = 0;
                for (long n; (n = Long.parseLong(line().split(";", 2)[0].trim(), 16)) > 0; ) {
                    got += body(n, kept, keepUpTo, got, slowPause);
                    line();
                }
                while (!line().isEmpty()) {
                    // trailers
                }
            } else if (length >= 0) {
                got = body(length, kept, keepUpTo, 0, slowPause);
            } else {
                got = body(Long.MAX_VALUE, kept, keepUpTo, 0, slowPause);
                closes = true;
            }
            return new Response(status, got, got <= keepUpTo ? kept.toByteArray() : null, closes);
        }
    }

    private long body(long n, ByteArrayOutputStream kept, int keepUpTo, long before, long slowPause)
            throws IOException {
        byte[] buf = new byte[16 * 1024];
        long got = 0;
        long sincePause = 0;
        while (got < n) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n - got));
            if (r < 0) {
                if (n == Long.MAX_VALUE) {
                    return got;
                }
                throw new EOFException("connection closed after " + (before + got) + " body bytes");
            }
            if (before + got + r <= keepUpTo) {
                kept.write(buf, 0, r);
            }
            got += r;
            sincePause += r;
            if (slowPause > 0 && sincePause >= 64 * 1024) {
                sincePause = 0;
                pause(slowPause);
            }
        }
        return got;
    }

    /** Whether the server closes the connection (EOF or reset) before the read timeout. */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (java.net.SocketException reset) {
            return true;
        }
    }

    /** Closes with a TCP reset, like a client that crashed or was killed. */
    void abort() {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // closing anyway
        }
        close();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        for (int c; (c = in.read()) >= 0; ) {
            if (c == '\n') {
                byte[] l = b.toByteArray();
                int len = l.length > 0 && l[l.length - 1] == '\r' ? l.length - 1 : l.length;
                return new String(l, 0, len, StandardCharsets.ISO_8859_1);
            }
            if (b.size() > 16 * 1024) {
                throw new IOException("line too long");
            }
            b.write(c);
        }
        throw new EOFException("connection closed" + (b.size() > 0 ? " inside a line" : ""));
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
