package io.servletbridge.spi;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * A piece of request body the loop lends to the bridge. Its bytes may live in the loop's pooled (direct) memory,
 * so the bridge reads them where they are, with no copy on the loop thread, and hands the memory back with
 * {@link #release()} once it has taken what it needs.
 *
 * <p>Ownership: from the moment the loop passes a chunk to {@link ExchangeEvents#onBodyData} (or returns it from
 * {@link Exchange#takeBufferedBody}) the bridge must release it exactly once, from any thread, whatever happens to
 * the exchange; after that it must not touch {@link #data()} again. A release on the wrong side of a read would hand
 * the bytes to the next connection, so the bridge reads and releases under one lock.
 *
 * <p>Only the first release counts, so a clean-up path that may overlap another (a discard racing a read's end,
 * say) cannot free the memory twice.
 */
public abstract class BodyChunk {
    private static final AtomicIntegerFieldUpdater<BodyChunk> RELEASED =
            AtomicIntegerFieldUpdater.newUpdater(BodyChunk.class, "released");

    private final ByteBuffer data;
    private volatile int released;

    protected BodyChunk(ByteBuffer data) {
        this.data = data;
    }

    /** A chunk of plain heap bytes nothing else references; releasing it only lets go of them. */
    public static BodyChunk of(ByteBuffer data) {
        return new BodyChunk(data) {
            @Override
            protected void free() {
            }
        };
    }

    /**
     * A chunk lent in the loop's pooled memory; {@code release} gives it back (any thread, called once).
     *
     * @param view the piece's bytes, a view the loop no longer moves
     */
    public static BodyChunk lent(ByteBuffer view, Runnable release) {
        return new BodyChunk(view) {
            @Override
            protected void free() {
                release.run();
            }
        };
    }

    /**
     * Whether a loop should lend a piece of {@code length} bytes that pins {@code footprint} bytes of pooled memory
     * (the whole read buffer it is in) rather than copy it out: only a large piece that fills a good share of its
     * buffer. Below that the copy costs less than the memory held, and a trickle of small pieces could otherwise
     * pin a read buffer each; a lent piece pins at most {@link #LEND_SHARE} times its size.
     */
    public static boolean worthLending(int length, int footprint) {
        return length >= LEND_MIN && footprint <= (long) LEND_SHARE * length;
    }

    /** Smallest piece lent as it is. */
    static final int LEND_MIN = 4 * 1024;
    /** Most pooled memory a lent piece may pin, as a multiple of its own size. */
    static final int LEND_SHARE = 4;

    /** The bytes, from position to limit; the bridge may move the position as it reads. */
    public final ByteBuffer data() {
        return data;
    }

    /** Gives the memory back to the loop. Any thread; only the first call counts. */
    public final void release() {
        if (RELEASED.compareAndSet(this, 0, 1)) {
            free();
        }
    }

    /** Returns the memory to wherever it came from; called once. */
    protected abstract void free();
}
