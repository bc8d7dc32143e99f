package io.servletbridge.servlet;

import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Fixed-size direct buffers that large response writes are copied into on the worker, and that the loop writes to
 * the socket as they are.
 *
 * <p>A heap piece costs two copies: the worker's (the application may reuse its array once {@code write} returns)
 * and the loop's, into a direct buffer for the socket. A direct piece costs the first only, and reusing it saves
 * allocating a fresh array per piece. A slab comes back when its write callback fires, which both loops call only
 * once they no longer read the buffer. One that never comes back (a callback lost with a dying loop) is freed by the
 * garbage collector like any direct buffer, so a missing return costs an allocation, never a leak. At most
 * {@link #RETAINED} free slabs are kept; beyond that returns are dropped.
 */
final class DirectSlabs {
    /** The size of every slab: the largest piece a large write is handed to the loop in. */
    static final int SIZE = 32 * 1024;
    /**
     * Free slabs kept for reuse (8 MiB at most): the pieces in flight of about 50 concurrent streaming responses. With
     * 64 kept, 16 concurrent 1 MiB downloads in 16 KiB writes spent 12 % of their worker time allocating new ones.
     */
    static final int RETAINED = 256;
    static final DirectSlabs SHARED = new DirectSlabs(RETAINED);

    private final ArrayBlockingQueue<ByteBuffer> free;

    DirectSlabs(int retained) {
        this.free = new ArrayBlockingQueue<>(retained);
    }

    /** A cleared slab of {@link #SIZE} bytes, reused when one is free. */
    ByteBuffer take() {
        ByteBuffer slab = free.poll();
        if (slab == null) {
            return ByteBuffer.allocateDirect(SIZE);
        }
        slab.clear();
        return slab;
    }

    /** Returns a slab the loop is done with; from any thread. */
    void give(ByteBuffer slab) {
        free.offer(slab);
    }

    /** Free slabs held now. */
    int retained() {
        return free.size();
    }
}
