package io.servletbridge.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class HttpFieldsTest {

    @Test
    void keepsOrderAndIgnoresCase() {
        HttpFields f = new HttpFields(1);
        f.add("Accept", "a").add("X-One", "1").add("accept", "b");
        assertEquals("a", f.get("ACCEPT"));
        assertEquals(List.of("a", "b"), f.getAll("accept"));
        assertEquals(List.of("Accept", "X-One"), List.copyOf(f.names()));
        f.set("ACCEPT", "c");
        assertEquals(List.of("c"), f.getAll("Accept"));
        assertEquals(2, f.size());
        assertTrue(f.remove("x-one"));
        assertNull(f.get("X-One"));
        assertFalse(f.remove("x-one"));
    }

    @Test
    void findsTokens() {
        HttpFields f = new HttpFields();
        f.add("Connection", "keep-alive, Upgrade").add("Connection", " close ");
        assertTrue(f.containsToken("connection", "upgrade"));
        assertTrue(f.containsToken("connection", "CLOSE"));
        assertFalse(f.containsToken("connection", "keep"));
    }
}
