package io.servletbridge.undertow;

import io.servletbridge.http.ConnectionRefusal;

import io.servletbridge.http.RequestStreamValidator;
import io.servletbridge.spi.LoopConfig;
import io.undertow.server.AbstractServerConnection;
import io.undertow.server.ServerConnection;
import org.xnio.StreamConnection;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.ConduitReadableByteChannel;
import org.xnio.conduits.Conduits;
import org.xnio.conduits.StreamSinkConduit;
import org.xnio.conduits.StreamSourceConduit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;

/**
 * The connection's raw source conduit, seen through a {@link RequestStreamValidator}, so that undertow-core's lenient
 * parser only ever reads request framing that the strict check accepted.
 *
 * <p>Bytes pass through unchanged, with two exceptions. A request head is handed on only once it is complete and
 * valid; until then its bytes wait here (a head that arrives in one read, the usual case, waits nowhere). When a head
 * is refused, its bytes are replaced by a small synthetic request, followed by end-of-stream: Undertow answers the
 * requests before it as usual, then parses the synthetic one, which {@link BridgeHttpHandler} recognises by asking
 * {@link #requestStarted()} (connection state, not anything on the wire) and answers with {@link #status()} and
 * {@code Connection: close}. When a chunked body breaks its framing, the bytes before the fault are handed on and the
 * next read fails with {@link MalformedBodyException}; if the current response has not begun, a 400 is written
 * straight to the socket first, because Undertow closes the connection on that failure.
 *
 * <p>Confined to the connection's IO thread.
 */
final class ValidatingSourceConduit extends AbstractStreamSourceConduit<StreamSourceConduit> {

    /** Only parsed by Undertow, never by the client's hand: {@link #requestStarted()} tells it apart. */
    private static final byte[] SYNTHETIC = "GET / HTTP/1.1\r\nHost: rejected\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    private final RequestStreamValidator validator;
    private final StreamSinkConduit rawSink;

    /** Bytes read from the socket but not handed on yet: {@code [start, released)} may go, the rest is a head. */
    private byte[] held;
    private ByteBuffer heldView;
    private int start;
    private int released;
    private int end;

    private int syntheticSent = -1;
    private boolean bodyFailurePending;
    private boolean bodyFailureReported;

    private long requestsSeen;
    private boolean responseStarted;

    ValidatingSourceConduit(StreamSourceConduit next, StreamSinkConduit rawSink, RequestStreamValidator validator) {
        super(next);
        this.rawSink = rawSink;
        this.validator = validator;
    }

    // ---- what BridgeHttpHandler and UndertowExchange tell us ----

    /**
     * Undertow parsed a request and handed it to the bridge. Returns true when it is the synthetic request standing
     * for a refused head, which must be answered with {@link #status()} and never reach the application.
     */
    boolean requestStarted() {
        requestsSeen++;
        responseStarted = false;
        return syntheticSent >= 0 && requestsSeen > validator.headsCompleted();
    }

    /** The current request's response head is on its way: a later body fault can only close the connection. */
    void responseStarted() {
        responseStarted = true;
    }

    /** The status for a refused head. */
    int status() {
        return validator.status();
    }

    /** Why the head was refused, for logs. */
    String reason() {
        return validator.reason();
    }

    // ---- the conduit ----

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        int from = dst.position();
        if (released > start) {
            return handOn(dst, from);
        }
        if (syntheticSent >= 0) {
            if (syntheticSent == SYNTHETIC.length) {
                return -1;
            }
            return handOn(dst, from);
        }
        if (bodyFailurePending) {
            throw bodyFailure();
        }
        int n = next.read(dst);
        if (n <= 0) {
            return n;
        }
        if (end == start) {
            return scanInPlace(dst, from, n);
        }
        return scanHeld(dst, from, n);
    }

    /** The usual case: nothing waits here, so the new bytes are checked where they lie. */
    private int scanInPlace(ByteBuffer dst, int from, int n) {
        int to = from + n;
        int stop = validator.scan(dst, from, to);
        while (validator.atEmptyLine()) {
            // Rare (RFC 9112 2.2: an empty line before a request line), so a byte loop does.
            for (int i = stop; i < to; i++) {
                dst.put(i - 2, dst.get(i));
            }
            to -= 2;
            dst.position(to);
            stop = validator.scan(dst, stop - 2, to);
        }
        n = to - from;
        if (!validator.failed()) {
            if (!validator.inHead()) {
                return n;
            }
            int headStart = to - validator.headBytes();
            hold(dst, headStart, to);
            dst.position(headStart);
            return headStart - from;
        }
        if (validator.failedInBody()) {
            dst.position(stop);
            bodyFailurePending = true;
            return stop - from;
        }
        dst.position(stop - validator.headBytes());
        syntheticSent = 0;
        copySynthetic(dst);
        return dst.position() - from;
    }

    /** Part of a head waits here: the new bytes go behind it, are checked there, and whatever is released goes on. */
    private int scanHeld(ByteBuffer dst, int from, int n) {
        ensureRoom(n);
        dst.position(from);
        dst.get(held, end, n);
        dst.position(from);
        int scanFrom = end;
        end += n;
        int stop = validator.scan(heldView, scanFrom, end);
        while (validator.atEmptyLine()) {
            System.arraycopy(held, stop, held, stop - 2, end - stop);
            end -= 2;
            stop = validator.scan(heldView, stop - 2, end);
        }
        if (!validator.failed()) {
            released = validator.inHead() ? end - validator.headBytes() : end;
        } else if (validator.failedInBody()) {
            released = stop;
            end = stop;
            bodyFailurePending = true;
        } else {
            released = stop - validator.headBytes();
            end = released;
            syntheticSent = 0;
        }
        return handOn(dst, from);
    }

    /** Copies released bytes, then any synthetic request, into {@code dst}. */
    private int handOn(ByteBuffer dst, int from) {
        int n = Math.min(released - start, dst.remaining());
        if (n > 0) {
            dst.put(held, start, n);
            start += n;
        }
        if (held != null && start == end) {
            // Nothing waits any more: give the memory back, an idle connection should cost nothing here.
            held = null;
            heldView = null;
            start = released = end = 0;
        }
        if (released == start && syntheticSent >= 0) {
            copySynthetic(dst);
        }
        return dst.position() - from;
    }

    private void copySynthetic(ByteBuffer dst) {
        int n = Math.min(SYNTHETIC.length - syntheticSent, dst.remaining());
        dst.put(SYNTHETIC, syntheticSent, n);
        syntheticSent += n;
    }

    private void hold(ByteBuffer src, int from, int to) {
        int n = to - from;
        ensureRoom(n);
        for (int i = 0; i < n; i++) {
            held[end + i] = src.get(from + i);
        }
        end += n;
    }

    private void ensureRoom(int n) {
        if (held == null) {
            held = new byte[Math.max(4096, Integer.highestOneBit(Math.max(1, n)) << 1)];
            heldView = ByteBuffer.wrap(held);
        }
        if (end + n <= held.length) {
            return;
        }
        int live = end - start;
        if (live + n <= held.length) {
            System.arraycopy(held, start, held, 0, live);
        } else {
            // Bounded: the validator refuses a head past the configured limits, so this stops growing.
            byte[] bigger = new byte[Math.max(held.length * 2, live + n)];
            System.arraycopy(held, start, bigger, 0, live);
            held = bigger;
            heldView = ByteBuffer.wrap(held);
        }
        released -= start;
        end = live;
        start = 0;
    }

    private IOException bodyFailure() {
        if (!bodyFailureReported) {
            bodyFailureReported = true;
            if (!responseStarted) {
                writeBadRequest();
            }
        }
        return new MalformedBodyException(validator.reason());
    }

    /**
     * Best effort: nothing of this response was written, earlier responses are complete, and about a hundred bytes
     * fit into any socket's send buffer, so one non-blocking write carries it before Undertow closes.
     */
    private void writeBadRequest() {
        ByteBuffer response = ByteBuffer.wrap(ConnectionRefusal.bytes(400));
        try {
            rawSink.write(response);
            rawSink.flush();
        } catch (IOException ignored) {
            // The client is gone; closing follows anyway.
        }
    }

    private boolean pending() {
        return released > start || syntheticSent >= 0 || bodyFailurePending;
    }

    @Override
    public void resumeReads() {
        if (pending()) {
            // The socket may hold nothing new, so readiness would never fire for bytes that already wait here.
            next.wakeupReads();
        } else {
            next.resumeReads();
        }
    }

    @Override
    public void awaitReadable() throws IOException {
        if (!pending()) {
            next.awaitReadable();
        }
    }

    @Override
    public void awaitReadable(long time, java.util.concurrent.TimeUnit timeUnit) throws IOException {
        if (!pending()) {
            next.awaitReadable(time, timeUnit);
        }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offs, int len) throws IOException {
        for (int i = offs; i < offs + len; i++) {
            if (dsts[i].hasRemaining()) {
                return read(dsts[i]);
            }
        }
        return 0;
    }

    @Override
    public long transferTo(long position, long count, FileChannel target) throws IOException {
        return target.transferFrom(new ConduitReadableByteChannel(this), position, count);
    }

    @Override
    public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target) throws IOException {
        return Conduits.transfer(this, count, throughBuffer, target);
    }

    /**
     * Puts a validator between {@code connection}'s socket and everything Undertow will layer on top. Must run
     * before Undertow's open listener sees the connection: Undertow remembers the source conduit it finds then as the
     * connection's original one, which is how {@link BridgeHttpHandler} finds this conduit again.
     */
    static void install(StreamConnection connection, LoopConfig config) {
        StreamSourceConduit socket = connection.getSourceChannel().getConduit();
        StreamSinkConduit socketSink = connection.getSinkChannel().getConduit();
        RequestStreamValidator validator = new RequestStreamValidator(config.maxRequestLine(),
                config.maxHeaderBytes(), config.maxHeaderCount());
        // undertow-core answers 400 to the empty line RFC 9112 2.2 asks servers to ignore: it never sees one.
        validator.stopAtEmptyLines();
        connection.getSourceChannel().setConduit(new ValidatingSourceConduit(socket, socketSink, validator));
    }

    /** The conduit this one reads from (the head timer's, or the socket's). */
    StreamSourceConduit inner() {
        return next;
    }

    /** The validator of the connection {@code exchange} came on, or null when none was installed. */
    static ValidatingSourceConduit of(ServerConnection connection) {
        if (connection instanceof AbstractServerConnection) {
            StreamSourceConduit original = ((AbstractServerConnection) connection).getOriginalSourceConduit();
            if (original instanceof ValidatingSourceConduit) {
                return (ValidatingSourceConduit) original;
            }
        }
        return null;
    }

    /** A chunked request body broke its framing; the connection cannot go on. */
    static final class MalformedBodyException extends IOException {
        private static final long serialVersionUID = 1L;

        MalformedBodyException(String reason) {
            super("malformed request body: " + reason);
        }
    }
}
