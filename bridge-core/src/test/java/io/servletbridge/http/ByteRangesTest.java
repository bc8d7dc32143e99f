package io.servletbridge.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.servletbridge.http.ByteRanges.Range;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ByteRangesTest {

    private static final long LENGTH = 10000;
    private static final int MAX = 10;

    private static List<Range> parse(String header) {
        return ByteRanges.parse(header, LENGTH, MAX);
    }

    @Test
    void absentHeaderIsIgnored() {
        assertNull(ByteRanges.parse(null, LENGTH, MAX));
    }

    @Test
    void otherRangeUnitIsIgnored() {
        // RFC 9110 14.2: a Range with an unknown unit is ignored.
        assertNull(parse("items=0-1"));
        assertNull(parse("bytesx=0-1"));
        assertNull(parse("0-1"));
    }

    @Test
    void rangeUnitIsCaseInsensitive() {
        // RFC 9110 14.1: range unit names are case-insensitive.
        assertEquals(List.of(new Range(0, 1)), parse("Bytes=0-1"));
        assertEquals(List.of(new Range(0, 1)), parse("BYTES=0-1"));
    }

    @Test
    void firstFiveHundredBytes() {
        // RFC 9110 14.1.2 examples against a 10000-byte representation.
        List<Range> ranges = parse("bytes=0-499");
        assertEquals(List.of(new Range(0, 499)), ranges);
        assertEquals(500, ranges.get(0).length());
    }

    @Test
    void openEndedRangeRunsToTheEnd() {
        assertEquals(List.of(new Range(9500, 9999)), parse("bytes=9500-"));
        assertEquals(List.of(new Range(0, 9999)), parse("bytes=0-"));
    }

    @Test
    void suffixRangeSelectsTheLastBytes() {
        List<Range> ranges = parse("bytes=-500");
        assertEquals(List.of(new Range(9500, 9999)), ranges);
        assertEquals(500, ranges.get(0).length());
        assertEquals(List.of(new Range(9999, 9999)), parse("bytes=-1"));
    }

    @Test
    void suffixLongerThanRepresentationSelectsAll() {
        // RFC 9110 14.1.2: a representation shorter than the suffix-length is used entire.
        assertEquals(List.of(new Range(0, 9999)), parse("bytes=-20000"));
        assertEquals(List.of(new Range(0, 9999)), parse("bytes=-10000"));
    }

    @Test
    void lastPosPastTheEndIsClamped() {
        // RFC 9110 14.1.2: last-pos >= length is replaced by length - 1.
        assertEquals(List.of(new Range(9000, 9999)), parse("bytes=9000-20000"));
        assertEquals(List.of(new Range(0, 9999)), parse("bytes=0-9999"));
        assertEquals(List.of(new Range(9999, 9999)), parse("bytes=9999-10000"));
    }

    @Test
    void firstPosAtOrPastTheEndIsUnsatisfiable() {
        // RFC 9110 14.1.2: satisfiable only when first-pos < length; 15.5.17: otherwise 416.
        assertEquals(List.of(), parse("bytes=10000-"));
        assertEquals(List.of(), parse("bytes=10000-10005"));
        assertEquals(List.of(), parse("bytes=20000-30000"));
        assertEquals(List.of(), parse("bytes=10000-,20000-"));
    }

    @Test
    void unsatisfiableRangesAreDroppedWhenOthersAreSatisfiable() {
        assertEquals(List.of(new Range(0, 9)), parse("bytes=0-9,20000-30000"));
        assertEquals(List.of(new Range(9990, 9999)), parse("bytes=10000-,-10"));
        assertEquals(List.of(new Range(0, 0)), parse("bytes=-0,0-0"));
    }

    @Test
    void zeroLengthSuffixIsUnsatisfiable() {
        // RFC 9110 14.1.2: only a suffix-range with a non-zero suffix-length is satisfiable.
        assertEquals(List.of(), parse("bytes=-0"));
        assertEquals(List.of(), parse("bytes=-000"));
    }

    @Test
    void intRangesAgainstZeroLengthRepresentationAreUnsatisfiable() {
        // No first-pos is less than a length of 0 (RFC 9110 14.1.2).
        assertEquals(List.of(), ByteRanges.parse("bytes=0-", 0, MAX));
        assertEquals(List.of(), ByteRanges.parse("bytes=0-0", 0, MAX));
        assertEquals(List.of(), ByteRanges.parse("bytes=5-10", 0, MAX));
        assertEquals(List.of(), ByteRanges.parse("bytes=-0", 0, MAX));
    }

    @Test
    void aNonZeroSuffixOfAnEmptyFileSendsTheWholeEmptyFile() {
        // RFC 9110 14.1.2: the one satisfiable form for zero length; no Content-Range can describe it, so 200.
        assertNull(ByteRanges.parse("bytes=-5", 0, MAX));
        assertNull(ByteRanges.parse("bytes=0-,-1", 0, MAX));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bytes=5-2", "bytes=abc", "bytes=1-2-3", "bytes=-", "bytes=--5", "bytes=1",
        "bytes=a-5", "bytes=0-b", "bytes=+1-2", "bytes=-+5", "bytes=0x10-20", "bytes=0 - 1",
        "bytes=0-1,5-2", "bytes=0-1,abc"})
    void invalidRangeSetIsIgnored(String header) {
        // RFC 9110 14.1.2: last-pos < first-pos is invalid; 14.2: an invalid ranges-specifier MAY be ignored.
        assertNull(parse(header));
    }

    @Test
    void emptyListElementsAreAccepted() {
        // RFC 9110 5.6.1: recipients accept empty list elements in #rule lists.
        assertEquals(List.of(new Range(0, 1)), parse("bytes=, 0-1"));
        assertEquals(List.of(new Range(0, 1)), parse("bytes=0-1,"));
        assertEquals(List.of(new Range(0, 1), new Range(5, 6)), parse("bytes=0-1 , ,5-6"));
    }

    @Test
    void rangeSetWithoutAnyRangeSpecIsIgnored() {
        // 1#range-spec needs at least one element.
        assertNull(parse("bytes="));
        assertNull(parse("bytes= "));
        assertNull(parse("bytes=,"));
        assertNull(parse("bytes=, ,"));
    }

    @Test
    void overlappingAndAdjacentRangesAreMergedInAscendingOrder() {
        assertEquals(List.of(new Range(0, 150), new Range(500, 700)),
            parse("bytes=500-600,0-100,50-150,601-700"));
        // Adjacent only.
        assertEquals(List.of(new Range(0, 199)), parse("bytes=100-199,0-99"));
        // Contained.
        assertEquals(List.of(new Range(0, 9999)), parse("bytes=0-,10-20,-5"));
    }

    @Test
    void disjointRangesKeepRequestOrder() {
        assertEquals(List.of(new Range(500, 600), new Range(0, 100)), parse("bytes=500-600,0-100"));
        assertEquals(List.of(new Range(9900, 9999), new Range(0, 0)), parse("bytes=-100,0-0"));
    }

    @Test
    void moreRangesThanTheLimitAreIgnored() {
        assertNull(ByteRanges.parse("bytes=0-1,3-4,6-7", LENGTH, 2));
        assertEquals(List.of(new Range(0, 1), new Range(3, 4)), ByteRanges.parse("bytes=0-1,3-4", LENGTH, 2));
    }

    @Test
    void limitAppliesAfterMerging() {
        assertEquals(List.of(new Range(0, 4), new Range(6, 7)),
            ByteRanges.parse("bytes=0-1,2-4,6-7", LENGTH, 2));
        assertEquals(List.of(new Range(0, 20)), ByteRanges.parse("bytes=0-10,5-15,10-20", LENGTH, 1));
        // Unsatisfiable ranges do not count towards the limit.
        assertEquals(List.of(new Range(0, 1)), ByteRanges.parse("bytes=0-1,20000-,30000-", LENGTH, 1));
    }

    @Test
    void hugeNumbersSaturateInsteadOfOverflowing() {
        assertEquals(List.of(new Range(0, 99)), ByteRanges.parse("bytes=0-99999999999999999999", 100, MAX));
        assertEquals(List.of(), ByteRanges.parse("bytes=99999999999999999999-", 100, MAX));
        assertEquals(List.of(new Range(0, 99)), ByteRanges.parse("bytes=-99999999999999999999", 100, MAX));
        assertEquals(List.of(new Range(0, Long.MAX_VALUE - 1)),
            ByteRanges.parse("bytes=0-9223372036854775807", Long.MAX_VALUE, MAX));
    }

    @Test
    void hugeReversedOrHugeEqualBoundsStayInvalidOrUnsatisfiable() {
        // Saturation must not turn a reversed range into a valid one.
        assertNull(ByteRanges.parse("bytes=99999999999999999999-5", 100, MAX));
        assertTrue(ByteRanges.parse("bytes=99999999999999999999-99999999999999999999", 100, MAX).isEmpty());
    }
}
