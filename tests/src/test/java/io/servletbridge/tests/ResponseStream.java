package io.servletbridge.tests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads every response a server sends on one connection until it closes, checking each against RFC 9112's syntax
 * strictly (unlike {@link RawHttp}, which is lenient so tests can look at what they got): CRLF line ends, a
 * well-formed status line, token header names, no control characters in values, unambiguous framing.
 *
 * <p>A connection that ends between responses, or inside a body the server had to abandon, is a legitimate end; a
 * malformed line is not. A read that times out is reported as a hang.
 */
final class ResponseStream {
    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.[01] [1-5][0-9][0-9] [\\t\\x20-\\x7e\\x80-\\xff]*");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final int MAX_LINE = 16 * 1024;

    /** Thrown when the bytes on the wire are not HTTP/1.x. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message);
        }
    }

    /** Thrown when the server neither sends nor closes within the read timeout. */
    static final class Hang extends Exception {
        private static final long serialVersionUID = 1L;

        Hang(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * What a connection produced.
     *
     * @param statuses  every final status, in order (1xx interim responses left out)
     * @param firstCloses whether the first final response said {@code Connection: close}
     * @param truncated whether the connection ended inside a response
     */
    record Outcome(List<Integer> statuses, boolean firstCloses, boolean truncated) {

        /** The differential key: the first answer's status and whether it said it ends the connection. */
        String firstAnswer() {
            if (statuses.isEmpty()) {
                return "closed without a response";
            }
            return statuses.get(0) + (firstCloses ? " + close" : "");
        }
    }

    private final InputStream in;
    private final boolean requestsMayIncludeHead;

    /**
     * @param requestsMayIncludeHead when a HEAD request may have been sent, a response's declared body cannot be
     *                               told apart from the next response, so bodies are not read after the first
     *                               response that has one
     */
    ResponseStream(InputStream in, boolean requestsMayIncludeHead) {
        this.in = in;
        this.requestsMayIncludeHead = requestsMayIncludeHead;
    }

    Outcome readAll() throws Malformed, Hang {
        List<Integer> statuses = new ArrayList<>();
        boolean firstCloses = false;
        try {
            while (true) {
                String statusLine = line(true);
                if (statusLine == null) {
                    return new Outcome(statuses, firstCloses, false);
                }
                if (!STATUS_LINE.matcher(statusLine).matches()) {
                    throw new Malformed("not a status line: " + RequestFuzzer.escape(bytes(statusLine)));
                }
                int status = Integer.parseInt(statusLine.substring(9, 12));
                List<String[]> headers = headers();
                if (headers == null) {
                    return new Outcome(statuses, firstCloses, true);
                }
                if (status < 200) {
                    continue;
                }
                statuses.add(status);
                if (statuses.size() == 1) {
                    firstCloses = values(headers, "Connection").stream()
                            .anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("close"));
                }
                if (requestsMayIncludeHead) {
                    // Whether the body follows depends on the request method: drain and stop here.
                    drain();
                    return new Outcome(statuses, firstCloses, false);
                }
                if (!body(status, headers)) {
                    return new Outcome(statuses, firstCloses, true);
                }
            }
        } catch (SocketTimeoutException e) {
            throw new Hang("no byte and no close within the read timeout after " + statuses.size()
                    + " response(s) " + statuses, e);
        } catch (SocketException reset) {
            // A reset ends the connection like a FIN; what was read so far stands.
            return new Outcome(statuses, firstCloses, true);
        } catch (IOException e) {
            throw new Malformed("read failed: " + e);
        }
    }

    /** The header lines, or null when the connection ended inside them. */
    private List<String[]> headers() throws IOException, Malformed {
        List<String[]> headers = new ArrayList<>();
        int total = 0;
        for (String l; ; ) {
            l = line(false);
            if (l == null) {
                return null;
            }
            if (l.isEmpty()) {
                return headers;
            }
            total += l.length();
            if (total > 64 * 1024 || headers.size() > 200) {
                throw new Malformed("response header block too big");
            }
            int colon = l.indexOf(':');
            if (colon <= 0 || !TOKEN.matcher(l.substring(0, colon)).matches()) {
                throw new Malformed("malformed header line: " + RequestFuzzer.escape(bytes(l)));
            }
            String value = l.substring(colon + 1);
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if ((c < 0x20 && c != '\t') || c == 0x7f) {
                    throw new Malformed("control character in header value: " + RequestFuzzer.escape(bytes(l)));
                }
            }
            headers.add(new String[] {l.substring(0, colon), value.strip()});
        }
    }

    /** Reads the body by its framing; false when the connection ended inside it. */
    private boolean body(int status, List<String[]> headers) throws IOException, Malformed {
        if (status == 204 || status == 304) {
            return true;
        }
        List<String> te = values(headers, "Transfer-Encoding");
        List<String> cl = values(headers, "Content-Length");
        if (!te.isEmpty() && !cl.isEmpty()) {
            throw new Malformed("both Transfer-Encoding and Content-Length (RFC 9112 6.2)");
        }
        if (!te.isEmpty()) {
            if (te.size() != 1 || !te.get(0).equalsIgnoreCase("chunked")) {
                throw new Malformed("unexpected Transfer-Encoding " + te);
            }
            return chunked();
        }
        if (!cl.isEmpty()) {
            if (cl.size() != 1 || !cl.get(0).matches("[0-9]{1,18}")) {
                throw new Malformed("bad Content-Length " + cl);
            }
            return skip(Long.parseLong(cl.get(0)));
        }
        drain();
        return true;
    }

    private boolean chunked() throws IOException, Malformed {
        while (true) {
            String size = line(false);
            if (size == null) {
                return false;
            }
            if (!size.matches("[0-9a-fA-F]{1,15}")) {
                throw new Malformed("bad chunk size line: " + RequestFuzzer.escape(bytes(size)));
            }
            long n = Long.parseLong(size, 16);
            if (n == 0) {
                for (String t; ; ) {
                    t = line(false);
                    if (t == null) {
                        return false;
                    }
                    if (t.isEmpty()) {
                        return true;
                    }
                }
            }
            if (!skip(n)) {
                return false;
            }
            String end = line(false);
            if (end == null) {
                return false;
            }
            if (!end.isEmpty()) {
                throw new Malformed("chunk data longer than its size");
            }
        }
    }

    private boolean skip(long n) throws IOException {
        byte[] buf = new byte[8192];
        for (long left = n; left > 0; ) {
            int got = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (got < 0) {
                return false;
            }
            left -= got;
        }
        return true;
    }

    private void drain() throws IOException {
        byte[] buf = new byte[8192];
        while (in.read(buf) >= 0) {
            // close-delimited: everything until EOF is the body
        }
    }

    /**
     * A CRLF-terminated line without its CRLF. Null at EOF before any byte of it, or (when not at a message start)
     * at EOF inside it, both being the server ending the connection.
     */
    private String line(boolean messageStart) throws IOException, Malformed {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        for (int c; ; ) {
            c = in.read();
            if (c < 0) {
                if (b.size() > 0 && messageStart) {
                    throw new Malformed("connection ended inside a status line: "
                            + RequestFuzzer.escape(b.toByteArray()));
                }
                return null;
            }
            if (c == '\n') {
                byte[] l = b.toByteArray();
                if (l.length == 0 || l[l.length - 1] != '\r') {
                    throw new Malformed("line not ended by CRLF: " + RequestFuzzer.escape(l));
                }
                return new String(l, 0, l.length - 1, StandardCharsets.ISO_8859_1);
            }
            if (b.size() > MAX_LINE) {
                throw new Malformed("line longer than " + MAX_LINE + " bytes");
            }
            b.write(c);
        }
    }

    private static List<String> values(List<String[]> headers, String name) {
        List<String> out = new ArrayList<>();
        for (String[] h : headers) {
            if (h[0].equalsIgnoreCase(name)) {
                out.add(h[1]);
            }
        }
        return out;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
