package io.servletbridge.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestPathTest {

    @Test
    void decodesAndNormalizes() {
        assertEquals("/a b", RequestPath.decode("/a%20b"));
        assertEquals("/b", RequestPath.decode("/a/../b"));
        assertEquals("/a/", RequestPath.decode("/a/b/.."));
        assertEquals("/a/b", RequestPath.decode("/a/./b"));
        assertEquals("/b", RequestPath.decode("/a/%2e%2e/b"));
        assertEquals("/a/b", RequestPath.decode("/a;jsessionid=1/b;x=y"));
        assertEquals("/caf\u00e9", RequestPath.decode("/caf%C3%A9"));
        assertEquals("/a+b", RequestPath.decode("/a+b"));
        assertEquals("/", RequestPath.decode("/"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a%2Fb", "/a%2fb", "/a%5Cb", "/a%00", "/..", "/a/../../b", "/%2e%2e/x", "/%zz",
        "/%C3", "/%C3%28", "/a%", "/a%2", "relative", "/a\\b"})
    void rejectsAmbiguousOrMalformed(String raw) {
        BadMessageException e = assertThrows(BadMessageException.class, () -> RequestPath.decode(raw));
        assertEquals(400, e.status());
    }
}
