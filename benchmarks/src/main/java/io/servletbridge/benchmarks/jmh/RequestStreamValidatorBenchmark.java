package io.servletbridge.benchmarks.jmh;

import io.servletbridge.http.RequestStreamValidator;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link RequestStreamValidator#scan} over one whole request per operation. Both loops run every inbound byte through
 * it, so its cost per request is paid by every request.
 *
 * <p>One validator serves every operation, as one does for all requests of a keep-alive connection: after a complete
 * request it is back at the start of the next request line.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RequestStreamValidatorBenchmark {

    /** A browser-like GET head of 451 bytes. */
    static final String GET_HEAD = "GET /products/catalog/item?id=48213&ref=home HTTP/1.1\r\n"
            + "Host: shop.example.com\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
            + "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
            + "Accept-Language: en-US,en;q=0.5\r\n"
            + "Accept-Encoding: gzip, deflate, br\r\n"
            + "Referer: https://shop.example.com/products\r\n"
            + "Connection: keep-alive\r\n"
            + "Cookie: session=8f2c41d9a7e34b0c; theme=dark\r\n"
            + "Upgrade-Insecure-Requests: 1\r\n"
            + "\r\n";

    /**
     * Which request: {@code get} (the head alone), {@code post} (a head with {@code Content-Length} and a 1 KiB body)
     * or {@code chunked} (a head and a body of four 256-byte chunks).
     */
    @Param({"get", "post", "chunked"})
    public String request;

    private RequestStreamValidator validator;
    private ByteBuffer bytes;

    @Setup
    public void setUp() {
        bytes = toDirect(message(request));
        validator = new RequestStreamValidator(8192, 8192, 100);
        // A benchmark of a validator that refuses its input would measure the failure path; check it accepts.
        for (int i = 0; i < 2; i++) {
            if (validator.scan(bytes, 0, bytes.limit()) != bytes.limit() || validator.failed() || validator.inHead()) {
                throw new IllegalStateException(request + " was not accepted: " + validator.reason());
            }
        }
        if (validator.headsCompleted() != 2) {
            throw new IllegalStateException(request + ": " + validator.headsCompleted() + " heads instead of 2");
        }
    }

    /** Scans the whole request; the validator ends ready for the next one. */
    @Benchmark
    public int scan() {
        return validator.scan(bytes, 0, bytes.limit());
    }

    static String message(String kind) {
        switch (kind) {
            case "get":
                return GET_HEAD;
            case "post":
                return "POST /api/orders HTTP/1.1\r\n"
                        + "Host: shop.example.com\r\n"
                        + "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
                        + "Accept: application/json\r\n"
                        + "Accept-Language: en-US,en;q=0.5\r\n"
                        + "Accept-Encoding: gzip, deflate, br\r\n"
                        + "Content-Type: application/json\r\n"
                        + "Content-Length: 1024\r\n"
                        + "Origin: https://shop.example.com\r\n"
                        + "Connection: keep-alive\r\n"
                        + "Cookie: session=8f2c41d9a7e34b0c; theme=dark\r\n"
                        + "\r\n"
                        + body(1024);
            case "chunked":
                StringBuilder m = new StringBuilder("POST /api/upload HTTP/1.1\r\n"
                        + "Host: shop.example.com\r\n"
                        + "User-Agent: curl/8.5.0\r\n"
                        + "Accept: */*\r\n"
                        + "Content-Type: application/octet-stream\r\n"
                        + "Transfer-Encoding: chunked\r\n"
                        + "\r\n");
                for (int i = 0; i < 4; i++) {
                    m.append("100\r\n").append(body(256)).append("\r\n");
                }
                return m.append("0\r\n\r\n").toString();
            default:
                throw new IllegalArgumentException(kind);
        }
    }

    private static String body(int length) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append((char) ('a' + i % 26));
        }
        return b.toString();
    }

    /** Direct, because the Netty loop hands the validator views of pooled direct buffers. */
    private static ByteBuffer toDirect(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer buf = ByteBuffer.allocateDirect(b.length);
        buf.put(b).flip();
        return buf;
    }
}
