package io.servletbridge.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;
import io.servletbridge.http.StatusText;
import io.servletbridge.spi.HttpFields;
import java.nio.ByteBuffer;

/**
 * Writes HTTP/1.1 response heads and body framing straight into pooled direct buffers.
 *
 * <p>This replaces Netty's {@code HttpResponseEncoder} on the exchange path: going through it meant copying the
 * bridge's fields into a {@code DefaultHttpHeaders} (validating every name and value again), building response and
 * content objects, and letting the encoder lay them out. The bridge's {@link HttpFields} are already validated by
 * the servlet layer; here they are checked once more for the bytes that would split a response (CR, LF, NUL)
 * while being copied, since the SPI can be fed by code other than the servlet layer.
 *
 * <p>A head, and a small body with it, go out as one buffer. Loop threads only.
 */
final class ResponseEncoder {
    /** Bodies up to this size are copied behind the head into one buffer: one write, one syscall. */
    static final int COPY_BODY_LIMIT = 8 * 1024;

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = {'0', '\r', '\n', '\r', '\n'};
    private static final byte[] HTTP_11 = {'H', 'T', 'T', 'P', '/', '1', '.', '1', ' '};

    /** Per loop thread: heads are laid out here with plain array stores, then copied into the direct buffer. */
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[2048];
        }
    };

    private ResponseEncoder() {
    }

    /** The framing the head announces, decided by the caller. */
    enum Framing { LENGTH, CHUNKED, NONE }

    /**
     * Encodes status line and fields, minus any Content-Length / Transfer-Encoding the bridge set (framing is the
     * adapter's alone), plus the given framing and connection fields.
     *
     * @param extra room to leave after the head, for a body copied behind it
     * @throws IllegalArgumentException for a status outside 100-999, or CR, LF or NUL in a name, value or reason
     */
    static ByteBuf head(ByteBufAllocator alloc, int status, String reason, HttpFields fields, long contentLength,
                        boolean chunked, String connection, int extra) {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("Invalid status code " + status);
        }
        byte[] a = SCRATCH.get();
        int n = 0;
        a = fit(a, n, HTTP_11.length + 4);
        System.arraycopy(HTTP_11, 0, a, n, HTTP_11.length);
        n += HTTP_11.length;
        a[n++] = (byte) ('0' + status / 100);
        a[n++] = (byte) ('0' + status / 10 % 10);
        a[n++] = (byte) ('0' + status % 10);
        a[n++] = ' ';
        String text = reason != null ? reason : StatusText.of(status);
        if (text != null) {
            a = fit(a, n, text.length());
            n = put(a, n, text);
        }
        a = fit(a, n, 2);
        n = crlf(a, n);
        for (int i = 0; i < fields.size(); i++) {
            String name = fields.name(i);
            if (isFraming(name)) {
                continue;
            }
            String value = fields.value(i);
            a = fit(a, n, name.length() + value.length() + 4);
            n = put(a, n, name);
            a[n++] = ':';
            a[n++] = ' ';
            n = put(a, n, value);
            n = crlf(a, n);
        }
        a = fit(a, n, 96);
        if (contentLength >= 0) {
            n = put(a, n, "Content-Length: ");
            n = putLong(a, n, contentLength);
            n = crlf(a, n);
        } else if (chunked) {
            n = put(a, n, "Transfer-Encoding: chunked");
            n = crlf(a, n);
        }
        if (connection != null) {
            n = put(a, n, "Connection: ");
            n = put(a, n, connection);
            n = crlf(a, n);
        }
        n = crlf(a, n);
        ByteBuf out = alloc.directBuffer(n + extra);
        out.writeBytes(a, 0, n);
        return out;
    }

    static void appendChunkSize(ByteBuf out, long len) {
        out.writeCharSequence(Long.toHexString(len), java.nio.charset.StandardCharsets.US_ASCII);
        out.writeBytes(CRLF);
    }

    static void appendCrlf(ByteBuf out) {
        out.writeBytes(CRLF);
    }

    static void appendLastChunk(ByteBuf out) {
        out.writeBytes(LAST_CHUNK);
    }

    /** Room in a chunk frame beyond its data: up to 8 hex digits and two CRLFs, plus a last chunk. */
    static int chunkOverhead() {
        return 8 + 2 + 2 + LAST_CHUNK.length;
    }

    private static boolean isFraming(String name) {
        return name.length() == 14 && name.equalsIgnoreCase("Content-Length")
                || name.length() == 17 && name.equalsIgnoreCase("Transfer-Encoding");
    }

    private static byte[] fit(byte[] a, int n, int more) {
        if (n + more <= a.length) {
            return a;
        }
        byte[] bigger = java.util.Arrays.copyOf(a, Math.max(a.length * 2, n + more));
        if (bigger.length <= 64 * 1024) {
            // Keep the larger scratch for this loop thread; a huge one-off head is not worth holding on to.
            SCRATCH.set(bigger);
        }
        return bigger;
    }

    private static int put(byte[] a, int n, String s) {
        for (int i = 0, len = s.length(); i < len; i++) {
            char c = s.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw new IllegalArgumentException("CR, LF or NUL in a response field or reason phrase");
            }
            // ISO-8859-1 on the wire, as the servlet layer promises; anything beyond it becomes '?'.
            a[n++] = c > 0xFF ? (byte) '?' : (byte) c;
        }
        return n;
    }

    private static int putLong(byte[] a, int n, long v) {
        if (v == 0) {
            a[n++] = '0';
            return n;
        }
        int digits = 0;
        for (long t = v; t > 0; t /= 10) {
            digits++;
        }
        int end = n + digits;
        for (int i = end - 1; i >= n; i--) {
            a[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        return end;
    }

    private static int crlf(byte[] a, int n) {
        a[n++] = '\r';
        a[n++] = '\n';
        return n;
    }
}
