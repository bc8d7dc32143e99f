package io.servletbridge.tests;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A plain socket to 127.0.0.1 that sends exactly the bytes a test writes and parses responses by hand, so tests can
 * see framing (Content-Length, chunking, truncation, connection close) as a client does. Every read has a timeout:
 * a server that hangs fails the test instead of hanging it.
 */
final class RawHttp implements Closeable {
    static final int READ_TIMEOUT_MS = 10_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawHttp(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 65536);
        this.out = socket.getOutputStream();
    }

    /** 127.0.0.1 itself (not whatever "localhost" resolves to): where every test server listens. */
    static final InetAddress LOOPBACK;

    static {
        try {
            LOOPBACK = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (java.net.UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static RawHttp connect(int port) {
        try {
            Socket s = new Socket(LOOPBACK, port);
            s.setSoTimeout(READ_TIMEOUT_MS);
            s.setTcpNoDelay(true);
            return new RawHttp(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The client side's port, as the server should report it from {@code getRemotePort()}. */
    int localPort() {
        return socket.getLocalPort();
    }

    RawHttp send(String text) {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawHttp send(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A GET with a Host header, nothing else. */
    RawHttp get(String target) {
        return send("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    }

    /** Reads the next response, 1xx interim ones included. */
    Response read() {
        return read(false);
    }

    /** Reads the next response to a HEAD request (no body whatever the headers say). */
    Response readHead() {
        return read(true);
    }

    /** Reads the next final response, skipping 1xx interim ones. */
    Response readFinal() {
        Response r;
        do {
            r = read(false);
        } while (r.status() >= 100 && r.status() < 200);
        return r;
    }

    /** Reads the next final response, or returns null when the server closed the connection before a status line. */
    Response readFinalOrNull() {
        try {
            in.mark(1);
            int b = in.read();
            if (b < 0) {
                return null;
            }
            in.reset();
        } catch (SocketException reset) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return readFinal();
    }

    /**
     * Reads the next final response, streaming its body into {@code sink} instead of memory (the returned response's
     * body is empty): for bodies too big to hold.
     */
    Response readFinalTo(OutputStream sink) {
        Response r;
        do {
            r = read(false, sink);
        } while (r.status() >= 100 && r.status() < 200);
        return r;
    }

    /** Reads {@code n} pipelined final responses, in order. */
    List<Response> readFinal(int n) {
        List<Response> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(readFinal());
        }
        return all;
    }

    /**
     * Whether nothing arrives within {@code millis}: an observation window for asserting that the server did not
     * send yet (never used to wait for something to happen).
     */
    boolean silentFor(int millis) {
        try {
            socket.setSoTimeout(millis);
            in.mark(1);
            int b = in.read();
            if (b < 0) {
                return false;
            }
            in.reset();
            return false;
        } catch (SocketTimeoutException expected) {
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                socket.setSoTimeout(READ_TIMEOUT_MS);
            } catch (SocketException ignored) {
                // closed
            }
        }
    }

    /** Whether the server closed the connection: EOF (or a reset) arrives before the read timeout. */
    boolean closedByPeer() {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    /** Reads whatever arrives until EOF or reset. */
    byte[] readToEof() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                body.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("connection still open after " + READ_TIMEOUT_MS + " ms", e);
        } catch (IOException reset) {
            // the peer reset: that is an end too
        }
        return body.toByteArray();
    }

    /** Reads up to {@code n} body bytes raw (for tests that stop reading midway). */
    int readSome(byte[] buf) {
        try {
            return in.read(buf);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads raw bytes until what was read contains {@code marker} (ISO-8859-1), failing on EOF first. */
    byte[] readSomeUntil(String marker) {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (!got.toString(StandardCharsets.ISO_8859_1).contains(marker)) {
            int n = readSome(buf);
            if (n < 0) {
                throw new AssertionError("EOF before '" + marker + "'; got " + got.toString(StandardCharsets.ISO_8859_1));
            }
            got.write(buf, 0, n);
        }
        return got.toByteArray();
    }

    /**
     * Whether the connection is at EOF (closed by the server) rather than holding more bytes; waits up to the read
     * timeout for either.
     */
    boolean peekEof() {
        try {
            in.mark(1);
            int b = in.read();
            if (b < 0) {
                return true;
            }
            in.reset();
            return false;
        } catch (SocketException reset) {
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Closes with a TCP reset instead of a FIN, like a client that crashed. */
    void abort() {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    /** Half-closes: no more request bytes; the response can still be read. */
    void shutdownOutput() {
        try {
            socket.shutdownOutput();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    private Response read(boolean head) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        Response r = read(head, body);
        return r.withBody(body.toByteArray(), r.complete(), r.framing());
    }

    private Response read(boolean head, OutputStream body) {
        try {
            String statusLine = line();
            if (statusLine == null) {
                throw new AssertionError("connection closed before a response");
            }
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
                throw new AssertionError("not a status line: " + statusLine);
            }
            int status = Integer.parseInt(parts[1]);
            List<String[]> headers = new ArrayList<>();
            List<String> rawLines = new ArrayList<>();
            for (String l; (l = line()) != null && !l.isEmpty(); ) {
                rawLines.add(l);
                int colon = l.indexOf(':');
                if (colon <= 0) {
                    throw new AssertionError("malformed header line: " + l);
                }
                headers.add(new String[] {l.substring(0, colon).trim(), l.substring(colon + 1).trim()});
            }
            Response r = new Response(statusLine, status, headers, rawLines, new byte[0], true, "none");
            if (head || (status >= 100 && status < 200) || status == 204 || status == 304) {
                return r;
            }
            String te = r.header("Transfer-Encoding");
            if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
                boolean complete = readChunked(body);
                return r.withBody(new byte[0], complete, "chunked");
            }
            String cl = r.header("Content-Length");
            if (cl != null) {
                long length = Long.parseLong(cl);
                boolean complete = readFixed(body, length);
                return r.withBody(new byte[0], complete, "length");
            }
            readToEof(body);
            return r.withBody(new byte[0], true, "eof");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean readChunked(OutputStream body) throws IOException {
        try {
            while (true) {
                String size = line();
                if (size == null) {
                    return false;
                }
                int semi = size.indexOf(';');
                long n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                if (n == 0) {
                    for (String trailer; (trailer = line()) != null && !trailer.isEmpty(); ) {
                        // trailers are not needed by any test
                    }
                    return true;
                }
                if (!readFixed(body, n)) {
                    return false;
                }
                String crlf = line();
                if (crlf == null) {
                    return false;
                }
                if (!crlf.isEmpty()) {
                    throw new AssertionError("chunk not followed by CRLF: " + crlf);
                }
            }
        } catch (SocketException reset) {
            return false;
        }
    }

    private boolean readFixed(OutputStream body, long length) throws IOException {
        byte[] buf = new byte[8192];
        long left = length;
        try {
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    return false;
                }
                body.write(buf, 0, n);
                left -= n;
            }
            return true;
        } catch (SocketException reset) {
            return false;
        }
    }

    private void readToEof(OutputStream body) throws IOException {
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                body.write(buf, 0, n);
            }
        } catch (SocketException reset) {
            // end
        }
    }

    /** A line without its CRLF (a bare LF is accepted), or null at EOF before any byte. */
    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        int c;
        try {
            while ((c = in.read()) >= 0) {
                if (c == '\n') {
                    byte[] bytes = b.toByteArray();
                    int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                    return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
                }
                b.write(c);
            }
        } catch (SocketException reset) {
            return null;
        }
        return null;
    }

    /**
     * One parsed response.
     *
     * @param complete false when the connection ended before the framing said the body was over
     * @param framing  {@code chunked}, {@code length}, {@code eof} or {@code none}
     */
    record Response(String statusLine, int status, List<String[]> headers, List<String> headerLines, byte[] body,
                    boolean complete, String framing) {

        Response withBody(byte[] b, boolean c, String f) {
            return new Response(statusLine, status, headers, headerLines, b, c, f);
        }

        /** The first value of this header (case-insensitive name), or null. */
        String header(String name) {
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    return h[1];
                }
            }
            return null;
        }

        /** Every value of this header, in order. */
        List<String> headers(String name) {
            List<String> out = new ArrayList<>();
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    out.add(h[1]);
                }
            }
            return out;
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return statusLine + " " + headerLines + " body " + body.length + " bytes (" + framing
                    + (complete ? "" : ", truncated") + ")";
        }
    }
}
