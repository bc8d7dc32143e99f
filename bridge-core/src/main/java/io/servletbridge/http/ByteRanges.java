package io.servletbridge.http;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The {@code Range} request header (RFC 9110 14.1-14.2) resolved against a representation's length.
 *
 * <p>Choices where the RFC leaves room: a header that is not a valid {@code bytes} range set is ignored (the whole
 * representation is sent, as 14.2 requires for an unknown unit and allows for invalid syntax). Overlapping or
 * adjacent ranges are merged into ascending order, as 14.2 allows, so a client cannot make one response carry the
 * same bytes many times over; more ranges than the caller's limit ignore the header too.
 */
public final class ByteRanges {
    /** An inclusive byte range within the representation. */
    public record Range(long first, long last) {
        public long length() {
            return last - first + 1;
        }
    }

    private ByteRanges() {
    }

    /**
     * @param header    the Range field value, or null
     * @param length    the representation's length
     * @param maxRanges the most ranges to serve; a request for more (after merging) is ignored
     * @return null when the header is absent or ignored (send the whole representation, 200); an empty list when
     *         no range is satisfiable (416); otherwise the ranges to send (206), in ascending order when merged
     */
    public static List<Range> parse(String header, long length, int maxRanges) {
        if (header == null) {
            return null;
        }
        int eq = header.indexOf('=');
        if (eq < 0 || !header.substring(0, eq).trim().equalsIgnoreCase("bytes")) {
            return null;
        }
        List<Range> ranges = new ArrayList<>();
        boolean any = false;
        for (String spec : header.substring(eq + 1).split(",", -1)) {
            String s = spec.trim();
            if (s.isEmpty()) {
                // 1#range-spec allows empty list elements; at least one real one must follow.
                continue;
            }
            int dash = s.indexOf('-');
            if (dash < 0) {
                return null;
            }
            long first = digits(s, 0, dash);
            long last = digits(s, dash + 1, s.length());
            if (dash == 0) {
                // suffix-range: the last n bytes
                if (last < 0) {
                    return null;
                }
                any = true;
                if (last > 0 && length == 0) {
                    // 14.1.2: satisfiable, yet no byte range can describe it; the whole (empty) file it is.
                    return null;
                }
                if (last > 0) {
                    ranges.add(new Range(Math.max(0, length - last), length - 1));
                }
                continue;
            }
            if (first < 0 || (dash + 1 < s.length() && last < 0) || (last >= 0 && last < first)) {
                return null;
            }
            any = true;
            if (first < length) {
                ranges.add(new Range(first, last < 0 ? length - 1 : Math.min(last, length - 1)));
            }
        }
        if (!any) {
            return null;
        }
        List<Range> merged = mergeOverlapping(ranges);
        return merged.size() > maxRanges ? null : merged;
    }

    /** Ranges as requested when none overlap or touch; otherwise sorted and merged. */
    private static List<Range> mergeOverlapping(List<Range> ranges) {
        if (ranges.size() < 2) {
            return ranges;
        }
        List<Range> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparingLong(Range::first));
        List<Range> out = new ArrayList<>();
        boolean mergedAny = false;
        Range current = sorted.get(0);
        for (int i = 1; i < sorted.size(); i++) {
            Range next = sorted.get(i);
            if (next.first() <= current.last() + 1) {
                current = new Range(current.first(), Math.max(current.last(), next.last()));
                mergedAny = true;
            } else {
                out.add(current);
                current = next;
            }
        }
        out.add(current);
        return mergedAny ? out : ranges;
    }

    /** The decimal number in {@code s[from, to)}, saturating at Long.MAX_VALUE; -1 when empty or not digits. */
    private static long digits(String s, int from, int to) {
        if (from >= to) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v > (Long.MAX_VALUE - 9) / 10 ? Long.MAX_VALUE : v * 10 + (c - '0');
        }
        return v;
    }
}
