package io.servletbridge.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FormDecoderTest {

    @Test
    void decodesPairsInOrder() {
        Map<String, List<String>> p = new LinkedHashMap<>();
        FormDecoder.decode("a=1&b=x+y&a=%C3%A9&flag&&c=", StandardCharsets.UTF_8, p, 100);
        assertEquals(List.of("1", "\u00e9"), p.get("a"));
        assertEquals(List.of("x y"), p.get("b"));
        assertEquals(List.of(""), p.get("flag"));
        assertEquals(List.of(""), p.get("c"));
        assertEquals(List.of("a", "b", "flag", "c"), List.copyOf(p.keySet()));
    }

    @Test
    void honoursCharset() {
        Map<String, List<String>> p = new LinkedHashMap<>();
        FormDecoder.decode("n=%E9", StandardCharsets.ISO_8859_1, p, 10);
        assertEquals("\u00e9", p.get("n").get(0));
    }

    @Test
    void limitsParameterCountAcrossCalls() {
        Map<String, List<String>> p = new LinkedHashMap<>();
        FormDecoder.decode("a=1&b=2", StandardCharsets.UTF_8, p, 3);
        assertThrows(BadMessageException.class, () -> FormDecoder.decode("c=3&d=4", StandardCharsets.UTF_8, p, 3));
    }

    @Test
    void rejectsMalformedEscapes() {
        assertThrows(BadMessageException.class,
                () -> FormDecoder.decode("a=%G1", StandardCharsets.UTF_8, new LinkedHashMap<>(), 10));
        assertThrows(BadMessageException.class,
                () -> FormDecoder.decode("a=%4", StandardCharsets.UTF_8, new LinkedHashMap<>(), 10));
    }
}
