package io.servletbridge.benchmarks.jmh;

import io.servletbridge.http.FormDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * {@link FormDecoder#decode}, which {@code BridgeRequest} runs on the query string and on an urlencoded POST body the
 * first time an application asks for a parameter. Each operation fills a fresh map, as each request does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FormDecoderBenchmark {

    /** A search-page query string: 10 parameters, UTF-8 and reserved characters %-encoded, spaces as {@code +}. */
    static final String QUERY = "q=caf%C3%A9+cr%C3%A8me+br%C3%BBl%C3%A9e&category=books%2Fmagazines&page=3"
            + "&sort=price_asc&lang=fr-FR&from=2026-01-01&to=2026-12-31&tags=dessert%2Cfrench%2Cclassic"
            + "&utm_source=news+letter&redirect=%2Faccount%2Forders%3Fid%3D42%26tab%3Dopen";

    /** {@code query} (10 parameters, {@link #QUERY}) or {@code form} (a 2 KiB urlencoded body of 12 fields). */
    @Param({"query", "form"})
    public String input;

    private String text;

    @Setup
    public void setUp() {
        text = input.equals("query") ? QUERY : form(2048);
        Map<String, List<String>> check = decode();
        int expected = input.equals("query") ? 10 : 12;
        if (check.size() != expected) {
            throw new IllegalStateException(input + " decoded to " + check.size() + " names, not " + expected);
        }
    }

    @Benchmark
    public Map<String, List<String>> decode() {
        Map<String, List<String>> into = new LinkedHashMap<>();
        // 1000 is the builder's default maxParameterCount.
        FormDecoder.decode(text, StandardCharsets.UTF_8, into, 1000);
        return into;
    }

    /** A contact/checkout form: short fields, then a free-text comment padded to make the body {@code size} chars. */
    static String form(int size) {
        StringBuilder b = new StringBuilder(size + 64)
                .append("csrf_token=3f9a1c0e7b2d4f6a8c1e5b7d9f0a2c4e")
                .append("&first_name=Ren%C3%A9e&last_name=M%C3%BCller-Schmidt")
                .append("&email=renee.mueller%40example.com&phone=%2B49+30+1234567")
                .append("&street=Friedrichstra%C3%9Fe+123&city=Berlin&postcode=10117&country=DE")
                .append("&newsletter=on&terms=accepted")
                .append("&comment=");
        String words = "Please+deliver+after+6pm%2C+the+doorbell+is+broken.%0D%0A"
                + "Gr%C3%BC%C3%9Fe+und+vielen+Dank%21+";
        while (b.length() < size) {
            b.append(words);
        }
        // Cut back to the size without splitting a %-escape.
        int end = size;
        while (b.lastIndexOf("%", end - 1) > end - 3) {
            end--;
        }
        b.setLength(end);
        return b.toString();
    }
}
