package io.servletbridge.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.servletbridge.spi.HttpFields;
import io.servletbridge.spi.RequestHead;
import org.junit.jupiter.api.Test;

class RequestHeadRulesTest {

    private static RequestHead head(String protocol, String... fields) {
        HttpFields f = new HttpFields();
        for (int i = 0; i < fields.length; i += 2) {
            f.add(fields[i], fields[i + 1]);
        }
        return new RequestHead("GET", "/", protocol, f, null, null, "http", 0);
    }

    @Test
    void hostValues() {
        for (String ok : new String[] {"", "x", "127.0.0.1", "127.0.0.1:8080", "[::1]", "[::1]:80", "a-b.example",
                "x:", "%41b"}) {
            assertTrue(RequestHeadRules.isHost(ok), ok);
        }
        for (String bad : new String[] {"a b", "user@x", "[::1", "x:8o", "x:1:2", "x/y", "[::1]x", "a\"b"}) {
            assertFalse(RequestHeadRules.isHost(bad), bad);
        }
        assertEquals("Invalid Host header", RequestHeadRules.problem(head("HTTP/1.1", "Host", "a b")));
        assertNull(RequestHeadRules.problem(head("HTTP/1.1", "Host", "")));
    }

    @Test
    void connectionOptionsAnywhereCount() {
        assertTrue(RequestHeadRules.clientKeepAlive(head("HTTP/1.1")));
        assertFalse(RequestHeadRules.clientKeepAlive(head("HTTP/1.1", "Connection", "close, keep-alive")));
        assertFalse(RequestHeadRules.clientKeepAlive(head("HTTP/1.1", "Connection", "keep-alive",
                "Connection", " Close ")));
        assertFalse(RequestHeadRules.clientKeepAlive(head("HTTP/1.0")));
        assertTrue(RequestHeadRules.clientKeepAlive(head("HTTP/1.0", "Connection", "keep8",
                "Connection", "keep-alive")));
        assertTrue(RequestHeadRules.clientKeepAlive(head("HTTP/1.0", "connection", "foo,Keep-Alive")));
        assertFalse(RequestHeadRules.clientKeepAlive(head("HTTP/1.0", "Connection", "keep-alives")));
    }
}
