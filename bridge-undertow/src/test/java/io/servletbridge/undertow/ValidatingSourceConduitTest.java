package io.servletbridge.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.servletbridge.http.RequestStreamValidator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xnio.conduits.StreamSinkConduit;
import org.xnio.conduits.StreamSourceConduit;

/**
 * The validating conduit over a scripted socket: which bytes Undertow's parser gets, for every way the client's
 * bytes may be split into reads.
 */
class ValidatingSourceConduitTest {

    private static final String SYNTHETIC = "GET / HTTP/1.1\r\nHost: rejected\r\n\r\n";

    /** A socket that returns {@code input} in reads of at most {@code step} bytes, then end-of-stream. */
    private static final class Socket {
        final byte[] input;
        final int step;
        int at;
        final ByteArrayOutputStream written = new ByteArrayOutputStream();

        Socket(String input, int step) {
            this.input = input.getBytes(StandardCharsets.ISO_8859_1);
            this.step = step;
        }

        StreamSourceConduit source() {
            return (StreamSourceConduit) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {StreamSourceConduit.class}, (proxy, method, args) -> {
                        if (method.getName().equals("read") && args.length == 1) {
                            ByteBuffer dst = (ByteBuffer) args[0];
                            if (at == input.length) {
                                return -1;
                            }
                            int n = Math.min(step, Math.min(dst.remaining(), input.length - at));
                            dst.put(input, at, n);
                            at += n;
                            return n;
                        }
                        return defaultValue(method.getReturnType());
                    });
        }

        StreamSinkConduit sink() {
            return (StreamSinkConduit) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {StreamSinkConduit.class}, (proxy, method, args) -> {
                        if (method.getName().equals("write") && args.length == 1) {
                            ByteBuffer src = (ByteBuffer) args[0];
                            int n = src.remaining();
                            byte[] b = new byte[n];
                            src.get(b);
                            written.write(b);
                            return n;
                        }
                        return defaultValue(method.getReturnType());
                    });
        }

        static Object defaultValue(Class<?> type) {
            if (type == boolean.class) {
                return true;
            }
            if (type == int.class) {
                return 0;
            }
            if (type == long.class) {
                return 0L;
            }
            return null;
        }
    }

    private static ValidatingSourceConduit conduit(Socket socket) {
        RequestStreamValidator validator = new RequestStreamValidator(8192, 16384, 100);
        validator.stopAtEmptyLines();
        return new ValidatingSourceConduit(socket.source(), socket.sink(), validator);
    }

    /** Reads like Undertow does (into a buffer of {@code bufferSize}) until end-of-stream or failure. */
    private static String readAll(ValidatingSourceConduit conduit, int bufferSize, List<IOException> failure) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(bufferSize);
        for (int reads = 0; reads < 1_000_000; reads++) {
            buffer.clear();
            int n;
            try {
                n = conduit.read(buffer);
            } catch (IOException e) {
                failure.add(e);
                break;
            }
            if (n < 0) {
                break;
            }
            out.write(buffer.array(), 0, n);
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private static final String VALID = "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
            + "POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;e=1\r\nhello\r\n0\r\nT: t\r\n\r\n"
            + "GET /c HTTP/1.1\r\nHost: x\r\n\r\n";

    @Test
    void validRequestsPassUnchangedHoweverTheyAreSplit() {
        for (int step : new int[] {1, 2, 7, 64, 100_000}) {
            for (int bufferSize : new int[] {1, 16, 16 * 1024}) {
                Socket socket = new Socket(VALID, step);
                List<IOException> failure = new ArrayList<>();
                assertEquals(VALID, readAll(conduit(socket), bufferSize, failure), "step " + step + ", buffer "
                        + bufferSize);
                assertEquals(List.of(), failure);
            }
        }
    }

    @Test
    void anEmptyLineBeforeARequestLineIsRemoved() {
        String in = "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n1\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n"
                + "\r\nGET /c HTTP/1.1\r\nHost: x\r\n\r\n";
        String out = "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n1GET /b HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /c HTTP/1.1\r\nHost: x\r\n\r\n";
        for (int step : new int[] {1, 2, 3, 100_000}) {
            for (int bufferSize : new int[] {1, 16 * 1024}) {
                List<IOException> failure = new ArrayList<>();
                assertEquals(out, readAll(conduit(new Socket(in, step)), bufferSize, failure), "step " + step);
                assertEquals(List.of(), failure);
            }
        }
    }

    @Test
    void aRefusedHeadIsReplacedBySyntheticRequestAfterTheValidOnes() {
        String bad = "GET /bad HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
        for (int step : new int[] {1, 5, 100_000}) {
            Socket socket = new Socket(VALID + bad, step);
            ValidatingSourceConduit conduit = conduit(socket);
            assertEquals(VALID + SYNTHETIC, readAll(conduit, 16 * 1024, new ArrayList<>()), "step " + step);
            assertFalse(conduit.requestStarted(), "/a is real");
            assertFalse(conduit.requestStarted(), "/b is real");
            assertFalse(conduit.requestStarted(), "/c is real");
            assertTrue(conduit.requestStarted(), "the fourth request is the synthetic one");
            assertEquals(400, conduit.status());
        }
    }

    @Test
    void aRequestThatLooksLikeTheSyntheticOneIsNotMistakenForIt() {
        Socket socket = new Socket(SYNTHETIC + SYNTHETIC, 100_000);
        ValidatingSourceConduit conduit = conduit(socket);
        assertEquals(SYNTHETIC + SYNTHETIC, readAll(conduit, 16 * 1024, new ArrayList<>()));
        assertFalse(conduit.requestStarted());
        assertFalse(conduit.requestStarted());
    }

    @Test
    void aChunkFramingFaultFailsTheReadAfterTheBytesBeforeIt() {
        String head = "POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
        for (int step : new int[] {1, 100_000}) {
            Socket socket = new Socket(head + "5\r\nhello\r\n3\r\nhello\r\n0\r\n\r\n", step);
            ValidatingSourceConduit conduit = conduit(socket);
            assertFalse(conduit.requestStarted());
            List<IOException> failure = new ArrayList<>();
            assertEquals(head + "5\r\nhello\r\n3\r\nhel", readAll(conduit, 16 * 1024, failure));
            assertEquals(1, failure.size());
            assertTrue(failure.get(0) instanceof ValidatingSourceConduit.MalformedBodyException, failure.toString());
            String answer = socket.written.toString(StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 400 Bad Request\r\n"), answer);
            assertTrue(answer.contains("\r\nConnection: close\r\n"), answer);
            assertThrows(IOException.class, () -> conduit.read(ByteBuffer.allocate(10)), "the fault is final");
        }
    }

    @Test
    void aChunkFaultAfterTheResponseStartedOnlyFails() {
        String head = "POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
        Socket socket = new Socket(head + "5x\r\n", 100_000);
        ValidatingSourceConduit conduit = conduit(socket);
        assertFalse(conduit.requestStarted());
        conduit.responseStarted();
        List<IOException> failure = new ArrayList<>();
        assertEquals(head + "5", readAll(conduit, 16 * 1024, failure));
        assertEquals(1, failure.size());
        assertEquals(0, socket.written.size(), "nothing may be written into a response already under way");
    }

    /** {name, raw bytes, status}: each refused as the first request on a connection, whatever the read size. */
    @Test
    void rawVectorsAreRefusedWithTheirStatus() {
        String post = "POST /p HTTP/1.1\r\nHost: x\r\n";
        String[][] vectors = {
            {"CL and TE", post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", "400"},
            {"CL twice", post + "Content-Length: 5\r\nContent-Length: 5\r\n\r\n", "400"},
            {"CL list", post + "Content-Length: 5, 5\r\n\r\n", "400"},
            {"CL +5", post + "Content-Length: +5\r\n\r\n", "400"},
            {"CL overflow", post + "Content-Length: 9223372036854775808\r\n\r\n", "400"},
            {"TE identity", post + "Transfer-Encoding: identity\r\n\r\n", "400"},
            {"TE xchunked", post + "Transfer-Encoding: xchunked\r\n\r\n", "400"},
            {"TE chunked, identity", post + "Transfer-Encoding: chunked, identity\r\n\r\n", "400"},
            {"TE gzip, chunked", post + "Transfer-Encoding: gzip, chunked\r\n\r\n", "501"},
            {"header without colon", post + "Bad Header\r\n\r\n", "400"},
            {"space before colon", post + "X-A : b\r\n\r\n", "400"},
            {"obs-fold", post + "X-A: b\r\n c\r\n\r\n", "400"},
            {"NUL in value", post + "X-A: \u0000\r\n\r\n", "400"},
            {"bad method", "G(ET / HTTP/1.1\r\nHost: x\r\n\r\n", "400"},
            {"HTTP/2.0", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", "505"},
            {"http/1.1", "GET / http/1.1\r\nHost: x\r\n\r\n", "400"},
            {"CONNECT", "CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n", "501"},
            {"long line", "GET /" + "a".repeat(8200) + " HTTP/1.1\r\n\r\n", "414"},
            {"big header", "GET / HTTP/1.1\r\nX: " + "a".repeat(16400) + "\r\n\r\n", "431"},
        };
        List<String> expected = new ArrayList<>();
        List<String> actual = new ArrayList<>();
        for (String[] v : vectors) {
            for (int step : new int[] {1, 100_000}) {
                Socket socket = new Socket(v[1], step);
                ValidatingSourceConduit conduit = conduit(socket);
                String out = readAll(conduit, 16 * 1024, new ArrayList<>());
                expected.add(v[0] + " (step " + step + ") -> synthetic, " + v[2]);
                actual.add(v[0] + " (step " + step + ") -> " + (out.equals(SYNTHETIC) ? "synthetic" : out) + ", "
                        + (conduit.requestStarted() ? conduit.status() : "not refused"));
            }
        }
        assertEquals(String.join("\n", expected), String.join("\n", actual));
    }
}
