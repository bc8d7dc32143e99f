package io.servletbridge.benchmarks.jmh;

import io.servletbridge.spi.HttpFields;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Case-insensitive lookups in {@link HttpFields} holding a browser's 12-field request head: the first field, a late
 * one spelled in another case, a missing one (every field compared), and a token in a list value.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HttpFieldsBenchmark {

    private HttpFields fields;
    // Fields rather than constants, so that the JIT cannot fold a lookup of a constant name.
    private String host = "host";
    private String cookie = "cookie";
    private String transferEncoding = "Transfer-Encoding";
    private String connection = "connection";
    private String keepAlive = "keep-alive";

    @Setup
    public void setUp() {
        fields = new HttpFields()
                .add("Host", "shop.example.com")
                .add("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
                .add("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
                .add("Accept-Language", "en-US,en;q=0.5")
                .add("Accept-Encoding", "gzip, deflate, br, zstd")
                .add("Referer", "https://shop.example.com/products")
                .add("Connection", "keep-alive, Upgrade")
                .add("Upgrade-Insecure-Requests", "1")
                .add("Sec-Fetch-Dest", "document")
                .add("Sec-Fetch-Mode", "navigate")
                .add("Sec-Fetch-Site", "same-origin")
                .add("Cookie", "session=8f2c41d9a7e34b0c; theme=dark");
        if (fields.size() != 12 || !"shop.example.com".equals(getFirst()) || getLast() == null || containsMissing()
                || !containsToken()) {
            throw new IllegalStateException("lookups do not find what the head holds: " + fields);
        }
    }

    /** {@code Host}, the first field, asked for in lower case. */
    @Benchmark
    public String getFirst() {
        return fields.get(host);
    }

    /** {@code Cookie}, the last of 12 fields, asked for in lower case. */
    @Benchmark
    public String getLast() {
        return fields.get(cookie);
    }

    /** {@code Transfer-Encoding}, absent from a GET: every field is compared. */
    @Benchmark
    public boolean containsMissing() {
        return fields.contains(transferEncoding);
    }

    /** {@code keep-alive} in {@code Connection: keep-alive, Upgrade}. */
    @Benchmark
    public boolean containsToken() {
        return fields.containsToken(connection, keepAlive);
    }
}
