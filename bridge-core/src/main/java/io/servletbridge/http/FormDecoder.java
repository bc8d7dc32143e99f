package io.servletbridge.http;

import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Parses {@code application/x-www-form-urlencoded} text (query strings and form bodies) into a parameter map. */
public final class FormDecoder {
    private FormDecoder() {
    }

    /**
     * Adds every {@code name=value} pair of {@code text} to {@code into}, in order.
     *
     * @param maxParameters the most pairs the whole request may carry, counting those already in {@code into}
     * @throws BadMessageException for malformed encoding or more than {@code maxParameters} pairs
     */
    public static void decode(String text, Charset charset, Map<String, List<String>> into, int maxParameters) {
        int count = 0;
        for (List<String> v : into.values()) {
            count += v.size();
        }
        int start = 0;
        int len = text.length();
        while (start < len) {
            int amp = text.indexOf('&', start);
            int end = amp < 0 ? len : amp;
            if (end > start) {
                if (++count > maxParameters) {
                    throw new BadMessageException("Too many parameters (limit " + maxParameters + ")");
                }
                int eq = text.indexOf('=', start);
                String name;
                String value;
                if (eq < 0 || eq > end) {
                    name = PercentDecoder.decode(text, start, end, charset, true);
                    value = "";
                } else {
                    name = PercentDecoder.decode(text, start, eq, charset, true);
                    value = PercentDecoder.decode(text, eq + 1, end, charset, true);
                }
                into.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
            }
            start = end + 1;
        }
    }
}
