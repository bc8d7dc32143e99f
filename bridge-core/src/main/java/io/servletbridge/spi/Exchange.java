package io.servletbridge.spi;

import java.nio.ByteBuffer;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One HTTP request/response exchange as a server loop presents it to the bridge: the Java twin of ASGI's
 * {@code scope / receive / send}.
 *
 * <p>Threading: every method may be called from any thread; an implementation hops onto its loop thread itself.
 * Nothing here blocks. Events flow back through the {@link ExchangeEvents} given to {@link #start}, always on the
 * loop thread.
 *
 * <p>Lifecycle: the exchange ends exactly once, either when a write with {@code last == true} has been handed to the
 * socket (completed) or through {@link #abort} / a connection failure (aborted). The loop then frees everything it
 * holds for the exchange; whatever the bridge still calls is ignored (writes fail their callback).
 */
public interface Exchange {

    /** The parsed request head. */
    RequestHead request();

    /** Registers the bridge's listener. Called exactly once, before any other method but {@link #request()}. */
    void start(ExchangeEvents events);

    /**
     * Asks for the next piece of the request body. The loop answers exactly once, later, with
     * {@link ExchangeEvents#onBodyData}, {@link ExchangeEvents#onBodyEnd} or {@link ExchangeEvents#onClosed}; an
     * {@code onBodyData} that returns true renews the demand in place (no call here, no task). Reading
     * from the socket happens only while a demand is outstanding: this is the request body's backpressure. A demand
     * made while another is outstanding is ignored.
     */
    void demand();

    /**
     * Hands over, at once, a {@code Content-Length} body the loop already holds whole (it came in the same socket
     * read as the head, typically): chunks the bridge owns and must release, after which the body is complete as if
     * demanded to its end. Returns null, changing nothing, when any of it is still to come; no socket is read either way, so
     * nothing can fail here. Called on the loop thread only, before the first {@link #demand()}.
     */
    default java.util.List<BodyChunk> takeBufferedBody() {
        return null;
    }

    /**
     * Sends the interim {@code 100 Continue} response. The bridge calls this only for an HTTP/1.1 request that sent
     * {@code Expect: 100-continue}, before the final response is committed, when the application first reads the body.
     */
    void sendContinue();

    /**
     * Writes the response.
     *
     * @param head     the status and headers: non-null on the first write of the exchange, null on later ones
     * @param data     body bytes, possibly empty, heap or direct; the loop owns it until the callback, and must not
     *                 touch it after calling back (the bridge reuses direct buffers)
     * @param last     whether this ends the response
     * @param callback told once, on the loop thread, when {@code data} reached the socket or failed to
     */
    void write(ResponseHead head, ByteBuffer data, boolean last, WriteCallback callback);

    /**
     * Writes {@code count} bytes of {@code file}, from {@code position}, as the next piece of the response body,
     * without bringing them into the JVM where the loop can ({@code sendfile}). Head, {@code last} and callback work
     * as in {@link #write}; the pieces of one exchange, written either way, go out in call order.
     *
     * <p>The loop owns {@code file} from this call on and closes it once it is done with it, whatever happens: after
     * the bytes went out, on failure, and at once when the write is refused or the response carries no body (HEAD,
     * 204, 304). A file that turns out shorter than {@code position + count} fails the write and aborts the exchange:
     * the framing already promised those bytes.
     *
     * <p>Reading the file happens on the loop thread, inside the kernel's copy to the socket; from the page cache that
     * is a memory copy, so a caller should use this for files, not for pipes or devices that may block.
     *
     * @param position where in the file to start, at least 0
     * @param count    how many bytes to send, at least 0
     */
    void writeFile(ResponseHead head, java.nio.channels.FileChannel file, long position, long count, boolean last,
                   WriteCallback callback);

    /**
     * Ends the exchange abruptly: the connection is closed without completing the response, so a client reading a
     * partial body sees it truncated. Idempotent; a no-op once the exchange completed.
     */
    void abort(Throwable cause);

    /** The loop thread that owns this exchange, as a scheduler: for timers that must not hold a thread. */
    ScheduledExecutorService loop();
}
