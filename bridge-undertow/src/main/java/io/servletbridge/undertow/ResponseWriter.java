package io.servletbridge.undertow;

import io.servletbridge.spi.DeferredFlush;
import io.servletbridge.spi.HttpFields;
import io.servletbridge.spi.ResponseHead;
import io.servletbridge.spi.WriteCallback;
import io.undertow.server.AbstractServerConnection;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpContinue;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSinkChannel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;

/**
 * Applies the bridge's writes to Undertow's response channel strictly in call order, finishing partial writes from
 * the write listener, and sends the interim {@code 100 Continue} on the same sink before any of them.
 *
 * <p>A write's callback runs once its bytes were handed to the socket (written and flushed through Undertow's
 * framing); the last write also shuts the channel down, which is when Undertow writes the final chunk.
 */
final class ResponseWriter implements ChannelListener<StreamSinkChannel> {
    /**
     * The most pieces one gathering write takes: the bridge's 128 KiB in-flight bound holds at most 16 buffer-fulls
     * at the default 8 KiB, so twice that leaves room for smaller flushed pieces.
     */
    private static final int GATHER = 32;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final UndertowExchange owner;
    private final HttpServerExchange exchange;
    private final RequestBodyReader body;
    private final ArrayDeque<PendingWrite> queue = new ArrayDeque<>();
    /** Null until the first write applied the head. */
    private StreamSinkChannel channel;
    /** Non-null while a 100 Continue is still leaving; writes wait for it. */
    private HttpContinue.ContinueResponseSender continueSender;
    private boolean lastAccepted;
    private boolean awaitingWritable;
    /** Pumps writes that did not end the response behind the IO thread's queued tasks; made on the first one. */
    private DeferredFlush deferredPump;
    /** The last piece and the end of the framing have been written. */
    private boolean finalWritten;
    /** The response carries no body (HEAD, 204, 304); set when the head is applied. */
    private boolean bodyless;
    /** Reused for gathering writes; allocated once a response has more than one piece queued. */
    private ByteBuffer[] gather;

    ResponseWriter(UndertowExchange owner, HttpServerExchange exchange, RequestBodyReader body) {
        this.owner = owner;
        this.exchange = exchange;
        this.body = body;
    }

    void enqueue(ResponseHead head, ByteBuffer data, boolean last, WriteCallback callback) {
        enqueue(new PendingWrite(head, data, null, last, callback));
    }

    /** Queues a file region; the writer closes {@code file} once done with it, also when refusing it here. */
    void enqueueFile(ResponseHead head, FileChannel file, long position, long count, boolean last,
                     WriteCallback callback) {
        enqueue(new PendingWrite(head, EMPTY, new FilePiece(file, position, count), last, callback));
    }

    private void enqueue(PendingWrite write) {
        if (owner.ended() || lastAccepted) {
            write.closeFile();
            UndertowExchange.notify(write.callback, new IOException(owner.ended()
                    ? "the exchange has ended" : "the response was already ended by an earlier write"));
            return;
        }
        boolean last = write.last;
        lastAccepted = last;
        queue.add(write);
        if (awaitingWritable) {
            return;
        }
        if (last) {
            if (deferredPump != null) {
                deferredPump.cancel();
            }
            pump();
        } else {
            if (deferredPump == null) {
                deferredPump = new DeferredFlush(exchange.getIoThread(), this::pumpIfWritable);
            }
            deferredPump.request();
        }
    }

    /** Runs a deferred pump now, before an abort, so the writes handed over before it go out. */
    void pumpDeferred() {
        if (deferredPump != null) {
            deferredPump.now();
        }
    }

    private void pumpIfWritable() {
        if (!awaitingWritable && !owner.ended()) {
            pump();
        }
    }

    /** Sends 100 Continue unless the final response has started or the client is no longer waiting for it. */
    void sendContinue() {
        if (owner.ended() || channel != null || !queue.isEmpty() || continueSender != null
                || !HttpContinue.requiresContinueResponse(exchange)) {
            return;
        }
        try {
            continueSender = HttpContinue.createResponseSender(exchange);
            // The interim response goes through its own short-lived Undertow exchange on the connection's sink, so
            // its write listener is set there; the final response's channel takes the listener over later.
            StreamSinkChannel sink = ((AbstractServerConnection) exchange.getConnection()).getChannel().getSinkChannel();
            sink.getWriteSetter().set(this);
            continueOnward(sink);
        } catch (IOException e) {
            owner.fail(e);
        }
    }

    private void continueOnward(StreamSinkChannel sink) throws IOException {
        if (continueSender.send()) {
            continueSender = null;
            pump();
        } else {
            sink.resumeWrites();
        }
    }

    @Override
    public void handleEvent(StreamSinkChannel sink) {
        // Suspend first: once the response is finished Undertow's channel ignores suspend calls.
        sink.suspendWrites();
        awaitingWritable = false;
        if (owner.ended()) {
            return;
        }
        if (continueSender != null) {
            try {
                continueOnward(sink);
            } catch (IOException e) {
                owner.fail(e);
            }
        } else {
            pump();
        }
    }

    private void pump() {
        try {
            while (continueSender == null && !queue.isEmpty()) {
                if (channel == null) {
                    open(queue.peek().head);
                }
                boolean allOut = writeQueued();
                boolean flushed = channel.flush();
                if (flushed && retireWritten()) {
                    return;
                }
                if (!allOut || !flushed) {
                    awaitingWritable = true;
                    channel.resumeWrites();
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            owner.fail(e);
        }
    }

    /**
     * Writes the queued pieces (up to {@link #GATHER} of them) in gathering writes until the socket takes no more;
     * true when all of those are out. Including the last piece, it also ends the framing.
     */
    private boolean writeQueued() throws IOException {
        PendingWrite first = queue.peek();
        boolean last;
        if (first.file != null) {
            if (!writeFile(first)) {
                return false;
            }
            last = first.last;
        } else {
            int n = buffersAhead();
            last = n == queue.size() && queue.peekLast().last;
            // One piece, as most responses are, needs no array to gather into.
            if (!(n == 1 ? writeOne(first.data, last) : writeGathered(n, last))) {
                return false;
            }
        }
        if (last) {
            // Idempotent after a complete writeFinal; needed when the last write carried no data.
            channel.shutdownWrites();
            finalWritten = true;
        }
        return true;
    }

    /** How many buffer pieces lead the queue, up to {@link #GATHER}: a file piece ends a gathering write. */
    private int buffersAhead() {
        int n = 0;
        for (PendingWrite write : queue) {
            if (n == GATHER || write.file != null) {
                break;
            }
            n++;
        }
        return n;
    }

    /**
     * Sends a file piece with {@code transferFrom} ({@code sendfile} under a fixed length) until the socket takes no
     * more; true once all of it is out.
     */
    private boolean writeFile(PendingWrite write) throws IOException {
        FilePiece piece = write.file;
        if (bodyless) {
            // Undertow would read the file only to throw the bytes away.
            piece.remaining = 0;
        }
        if (piece.remaining > 0 && !channel.flush()) {
            // The head (and anything before it) must be on the socket first: with the head still pending,
            // Undertow's transferFrom reads the file from its own position, not the one given.
            return false;
        }
        while (piece.remaining > 0) {
            long n = channel.transferFrom(piece.file, piece.position, piece.remaining);
            if (n <= 0) {
                if (piece.position >= piece.file.size()) {
                    throw new IOException("The response file ended " + piece.remaining + " bytes early");
                }
                return false;
            }
            piece.position += n;
            piece.remaining -= n;
        }
        write.closeFile();
        return true;
    }

    private boolean writeOne(ByteBuffer data, boolean last) throws IOException {
        while (data.hasRemaining()) {
            // writeFinal lets Undertow put the last bytes and the end of the framing into one socket write.
            if ((last ? channel.writeFinal(data) : channel.write(data)) == 0 && data.hasRemaining()) {
                return false;
            }
        }
        return true;
    }

    private boolean writeGathered(int n, boolean last) throws IOException {
        if (gather == null) {
            gather = new ByteBuffer[GATHER];
        }
        long remaining = 0;
        int i = 0;
        for (PendingWrite write : queue) {
            if (i == n) {
                break;
            }
            gather[i++] = write.data;
            remaining += write.data.remaining();
        }
        try {
            while (remaining > 0) {
                long written = last ? channel.writeFinal(gather, 0, n) : channel.write(gather, 0, n);
                if (written == 0) {
                    return false;
                }
                remaining -= written;
            }
            return true;
        } finally {
            java.util.Arrays.fill(gather, 0, n, null);
        }
    }

    /** Completes, in order, the writes whose bytes are all out and flushed; true once the response has ended. */
    private boolean retireWritten() {
        PendingWrite write;
        while ((write = queue.peek()) != null && write.done() && (!write.last || finalWritten)) {
            queue.poll();
            if (write.last) {
                owner.completed(write.callback);
                return true;
            }
            UndertowExchange.notify(write.callback, null);
            if (owner.ended()) {
                return true;
            }
        }
        return false;
    }

    private void open(ResponseHead head) throws IOException {
        if (head == null) {
            throw new IllegalStateException("the first write of an exchange must carry the response head");
        }
        bodyless = head.bodyless(owner.request());
        exchange.setStatusCode(head.status());
        if (head.reason() != null) {
            exchange.setReasonPhrase(head.reason());
        }
        HeaderMap out = exchange.getResponseHeaders();
        HttpFields fields = head.headers();
        for (int i = 0; i < fields.size(); i++) {
            out.add(new HttpString(fields.name(i)), fields.value(i));
        }
        if (head.contentLength() >= 0) {
            out.put(Headers.CONTENT_LENGTH, head.contentLength());
        } else if (exchange.isHttp11() && !bodyless && !out.contains(Headers.TRANSFER_ENCODING)) {
            // Undertow would delimit a non-persistent response by closing the connection, and then a response cut
            // short by a failure looks complete to the client. Chunked framing keeps the end explicit (as Netty's
            // side does).
            out.put(Headers.TRANSFER_ENCODING, Headers.CHUNKED.toString());
        }
        if (head.closeRequested() || body.continueOwed() || body.beyondDrain()) {
            // A client still waiting for 100 Continue may or may not send its body after our answer; only
            // closing keeps those bytes from being read as the next request. A body too long to drain closes
            // the connection too, so the response says so.
            exchange.setPersistent(false);
        } else if (exchange.isHttp10() && exchange.isPersistent() && head.contentLength() >= 0
                && !out.contains(Headers.CONNECTION)) {
            // An HTTP/1.0 client only keeps the connection when told to; Undertow, with ALWAYS_SET_KEEP_ALIVE off,
            // would not say so.
            out.put(Headers.CONNECTION, Headers.KEEP_ALIVE.toString());
        }
        StreamSinkChannel opened = exchange.getResponseChannel();
        if (opened == null) {
            throw new IOException("connection closed before the response started");
        }
        opened.getWriteSetter().set(this);
        channel = opened;
    }

    /** Fails every write not yet done, in order; the exchange has already ended. */
    void failPending(Throwable cause) {
        IOException failure = cause instanceof IOException io ? io : new IOException("exchange closed", cause);
        PendingWrite write;
        while ((write = queue.poll()) != null) {
            write.closeFile();
            UndertowExchange.notify(write.callback, failure);
        }
    }

    private record PendingWrite(ResponseHead head, ByteBuffer data, FilePiece file, boolean last,
                                WriteCallback callback) {
        boolean done() {
            return !data.hasRemaining() && (file == null || file.remaining == 0);
        }

        void closeFile() {
            if (file != null) {
                IoUtils.safeClose(file.file);
            }
        }
    }

    /** What is left to send of a file piece. */
    private static final class FilePiece {
        final FileChannel file;
        long position;
        long remaining;

        FilePiece(FileChannel file, long position, long remaining) {
            this.file = file;
            this.position = position;
            this.remaining = remaining;
        }
    }
}
