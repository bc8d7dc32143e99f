package io.servletbridge.servlet;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;

/**
 * Encodes characters straight into the response stream. Unlike an {@code OutputStreamWriter} it keeps no byte
 * buffer of its own, so {@code resetBuffer()} and the commit rules see every character the servlet wrote; only a
 * lone high surrogate waits for its partner.
 */
final class ResponseWriter extends Writer {
    private final OutputStream out;
    private final CharsetEncoder encoder;
    private final ByteBuffer bytes = ByteBuffer.allocate(1024);
    private char pendingHighSurrogate;

    ResponseWriter(OutputStream out, Charset charset) {
        this.out = out;
        this.encoder = charset.newEncoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
    }

    @Override
    public void write(char[] cbuf, int off, int len) throws IOException {
        encode(CharBuffer.wrap(cbuf, off, len));
    }

    @Override
    public void write(String str, int off, int len) throws IOException {
        encode(CharBuffer.wrap(str, off, off + len));
    }

    @Override
    public void write(int c) throws IOException {
        encode(CharBuffer.wrap(new char[] {(char) c}));
    }

    private void encode(CharBuffer in) throws IOException {
        if (pendingHighSurrogate != 0 && in.hasRemaining()) {
            CharBuffer joined = CharBuffer.allocate(in.remaining() + 1);
            joined.put(pendingHighSurrogate).put(in).flip();
            in = joined;
            pendingHighSurrogate = 0;
        }
        while (true) {
            CoderResult r = encoder.encode(in, bytes, false);
            drain();
            if (r.isUnderflow()) {
                break;
            }
        }
        if (in.hasRemaining()) {
            // Underflow with a char left over: a high surrogate whose low half comes in the next write.
            pendingHighSurrogate = in.get();
        }
        encoder.reset();
    }

    private void drain() throws IOException {
        bytes.flip();
        if (bytes.hasRemaining()) {
            out.write(bytes.array(), bytes.position(), bytes.remaining());
        }
        bytes.clear();
    }

    /** Forgets a half-written surrogate pair, as resetBuffer forgets buffered output. */
    void clearPending() {
        pendingHighSurrogate = 0;
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
