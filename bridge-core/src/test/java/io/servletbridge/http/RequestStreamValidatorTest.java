package io.servletbridge.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestStreamValidatorTest {

    private static final String[][] VECTORS = {
        // {name, bytes, expected: "ok" or status, offset where the refused request begins}
        {"valid pipeline", "GET / HTTP/1.1\r\nHost: x\r\n\r\nPOST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                + "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;a=\"b\"\r\nabc\r\n0\r\n\r\n", "ok"},
        {"bad second head", "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nBad\r\n\r\n", "400"},
        {"CL+TE", "POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", "400"},
        {"gzip, chunked", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "501"},
        {"Chunked", "POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n", "ok"},
        {"HTTP/3.0", "GET / HTTP/3.0\r\n\r\n", "505"},
        {"chunk overflow", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n", "400"},
        {"max chunk size", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n7fffffffffffffff\r\n", "ok"},
        {"long line", "GET /" + "a".repeat(100) + " HTTP/1.1\r\n\r\n", "414"},
        {"many fields", "GET / HTTP/1.1\r\n" + "A: b\r\n".repeat(6) + "\r\n", "431"},
        {"big field", "GET / HTTP/1.1\r\nA: " + "b".repeat(300) + "\r\n\r\n", "431"},
        {"fragment", "GET /a#b HTTP/1.1\r\n\r\n", "400"},
        {"comma in an unnamed path parameter", "GET /a;b,c HTTP/1.1\r\n\r\n", "400"},
        {"commas elsewhere", "GET /a,b;c=1,2;d/e,f;g=h?x;y,z HTTP/1.1\r\n\r\n", "ok"},
        {"raw non-ASCII target", "GET /caf\u00e9 HTTP/1.1\r\n\r\n", "400"},
        {"backslash target", "GET /a\\b HTTP/1.1\r\n\r\n", "400"},
        {"every URI character", "GET /azAZ09-._~%20!$&'()*+,;=:@/?[] HTTP/1.1\r\n\r\n", "ok"},
        {"non-ASCII field value (obs-text)", "GET / HTTP/1.1\r\nA: caf\u00e9\r\n\r\n", "ok"},
    };

    private static String run(byte[] bytes, int step) {
        RequestStreamValidator v = new RequestStreamValidator(64, 256, 5);
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        for (int at = 0; at < bytes.length; at += step) {
            int to = Math.min(bytes.length, at + step);
            int stop = v.scan(buf, at, to);
            if (v.failed()) {
                return v.status() + (v.failedInBody() ? " in body" : " at head " + (stop - v.headBytes()));
            }
            assertEquals(to, stop);
        }
        return "ok";
    }

    @Test
    void theVerdictDoesNotDependOnHowTheBytesAreSplit() {
        List<String> expected = new ArrayList<>();
        List<String> actual = new ArrayList<>();
        for (String[] v : VECTORS) {
            byte[] bytes = v[1].getBytes(StandardCharsets.ISO_8859_1);
            String whole = run(bytes, bytes.length);
            expected.add(v[0] + " -> " + v[2]);
            actual.add(v[0] + " -> " + whole.split(" ")[0]);
            for (int step = 1; step < 8; step++) {
                assertEquals(whole, run(bytes, step), v[0] + " split into pieces of " + step);
            }
        }
        assertEquals(expected, actual);
    }

    @Test
    void aRefusedHeadIsLocatedAtItsFirstByte() {
        String first = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        assertEquals("400 at head " + first.length(),
                run((first + "GET / HTTP/1.1\r\nBad\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1), 1000));
    }

    @Test
    void bodyBytesAreCountedNotParsed() {
        RequestStreamValidator v = new RequestStreamValidator(64, 256, 5);
        byte[] head = "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer buf = ByteBuffer.allocate(head.length + 5).put(head).put("\r\n\0 x".getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(buf.capacity(), v.scan(buf, 0, buf.capacity()));
        assertFalse(v.failed());
        assertFalse(v.inHead());
        assertEquals(1, v.headsCompleted());
        assertTrue(v.scan(ByteBuffer.wrap(new byte[] {'G'}), 0, 1) == 1 && v.inHead());
    }
}
