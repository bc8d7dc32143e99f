package io.servletbridge.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EntityTagsTest {

    private static final boolean WEAK = true;
    private static final boolean STRONG = false;

    @Test
    void starMatchesAnyTag() {
        assertTrue(EntityTags.matches("*", "\"x\"", STRONG));
        assertTrue(EntityTags.matches("*", "W/\"x\"", WEAK));
        assertTrue(EntityTags.matches(" * ", "\"x\"", STRONG));
    }

    @Test
    void identicalStrongTagMatchesUnderBothComparisons() {
        assertTrue(EntityTags.matches("\"x\"", "\"x\"", STRONG));
        assertTrue(EntityTags.matches("\"x\"", "\"x\"", WEAK));
        assertTrue(EntityTags.matches("\"\"", "\"\"", STRONG));
    }

    @Test
    void differentTagDoesNotMatch() {
        assertFalse(EntityTags.matches("\"y\"", "\"x\"", STRONG));
        assertFalse(EntityTags.matches("\"y\"", "\"x\"", WEAK));
        // Opaque tags compare character by character, case-sensitively (RFC 9110 8.8.3.2).
        assertFalse(EntityTags.matches("\"X\"", "\"x\"", WEAK));
    }

    @Test
    void weakListTagMatchesStrongCurrentOnlyUnderWeakComparison() {
        // RFC 9110 8.8.3.2: weak comparison ignores the weak indicator; strong requires both strong.
        assertTrue(EntityTags.matches("W/\"x\"", "\"x\"", WEAK));
        assertFalse(EntityTags.matches("W/\"x\"", "\"x\"", STRONG));
    }

    @Test
    void weakCurrentTagNeverMatchesStrongly() {
        assertFalse(EntityTags.matches("W/\"x\"", "W/\"x\"", STRONG));
        assertFalse(EntityTags.matches("\"x\"", "W/\"x\"", STRONG));
        assertTrue(EntityTags.matches("W/\"x\"", "W/\"x\"", WEAK));
        assertTrue(EntityTags.matches("\"x\"", "W/\"x\"", WEAK));
    }

    @Test
    void lowercaseWeakPrefixIsNotAWeakIndicator() {
        // weak = %s"W/" is case-sensitive (RFC 9110 8.8.3).
        assertFalse(EntityTags.matches("w/\"x\"", "\"x\"", WEAK));
    }

    @Test
    void listWithWhitespaceAndCommas() {
        String list = "\"a\", \"b\" ,\"c\"";
        assertTrue(EntityTags.matches(list, "\"a\"", STRONG));
        assertTrue(EntityTags.matches(list, "\"b\"", STRONG));
        assertTrue(EntityTags.matches(list, "\"c\"", STRONG));
        assertFalse(EntityTags.matches(list, "\"d\"", STRONG));
        assertTrue(EntityTags.matches("\t\"a\",,\t W/\"b\" ", "\"b\"", WEAK));
        assertFalse(EntityTags.matches("\t\"a\",,\t W/\"b\" ", "\"b\"", STRONG));
    }

    @Test
    void commaInsideQuotesIsPartOfOneTag() {
        assertTrue(EntityTags.matches("\"a,b\"", "\"a,b\"", STRONG));
        assertFalse(EntityTags.matches("\"a,b\"", "\"a\"", WEAK));
        assertFalse(EntityTags.matches("\"a,b\"", "\"b\"", WEAK));
        assertTrue(EntityTags.matches("\"z\", \"a,b\"", "\"a,b\"", STRONG));
    }

    @Test
    void prefixDoesNotMatch() {
        assertFalse(EntityTags.matches("\"abc\"", "\"ab\"", WEAK));
        assertFalse(EntityTags.matches("\"ab\"", "\"abc\"", WEAK));
        assertFalse(EntityTags.matches("\"abc\"", "\"ab\"", STRONG));
        assertFalse(EntityTags.matches("\"ab\"", "\"abc\"", STRONG));
        assertFalse(EntityTags.matches("\"ab\", \"abcd\"", "\"abc\"", WEAK));
    }

    @Test
    void unquotedGarbageDoesNotMatch() {
        assertFalse(EntityTags.matches("x", "\"x\"", WEAK));
        assertFalse(EntityTags.matches("abc, def", "\"abc\"", WEAK));
        assertFalse(EntityTags.matches("\"x", "\"x\"", WEAK));
        assertFalse(EntityTags.matches("W/x", "W/\"x\"", WEAK));
        assertFalse(EntityTags.matches("", "\"x\"", WEAK));
    }

    @Test
    void nullListDoesNotMatch() {
        assertFalse(EntityTags.matches(null, "\"x\"", WEAK));
        assertFalse(EntityTags.matches(null, "\"x\"", STRONG));
    }

    @Test
    void isTagRecognisesEntityTags() {
        assertTrue(EntityTags.isTag("\"x\""));
        assertTrue(EntityTags.isTag("W/\"x\""));
        assertTrue(EntityTags.isTag(" \"x\" "));
    }

    @Test
    void isTagRejectsHttpDates() {
        assertFalse(EntityTags.isTag("Sun, 06 Nov 1994 08:49:37 GMT"));
        // Starts with W but is a date, not W/"...".
        assertFalse(EntityTags.isTag("Wed, 21 Oct 2015 07:28:00 GMT"));
    }
}
