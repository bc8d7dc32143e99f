package io.servletbridge.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DirectSlabsTest {

    @Test
    void aReturnedSlabIsHandedOutAgainCleared() {
        DirectSlabs slabs = new DirectSlabs(4);
        ByteBuffer first = slabs.take();
        assertTrue(first.isDirect());
        assertEquals(DirectSlabs.SIZE, first.remaining());
        first.put(new byte[100]).flip();
        slabs.give(first);

        ByteBuffer again = slabs.take();
        assertSame(first, again);
        assertEquals(0, again.position());
        assertEquals(DirectSlabs.SIZE, again.limit());
    }

    @Test
    void noMoreThanTheBoundIsKept() {
        DirectSlabs slabs = new DirectSlabs(4);
        List<ByteBuffer> out = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            out.add(slabs.take());
        }
        out.forEach(slabs::give);
        assertEquals(4, slabs.retained());
    }
}
