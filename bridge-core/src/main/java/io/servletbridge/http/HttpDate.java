package io.servletbridge.http;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** HTTP dates (RFC 9110 IMF-fixdate), with the current second's text cached for the {@code Date} header. */
public final class HttpDate {
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter RFC_850 =
            DateTimeFormatter.ofPattern("EEEE, dd-MMM-yy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter ASCTIME =
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US).withZone(ZoneOffset.UTC);

    /** One formatted second; replaced at most once a second, read without locking. */
    private record Cached(long second, String text) { }

    private static volatile Cached current = new Cached(-1, "");

    private HttpDate() {
    }

    /** The {@code Date} header value for now; formatting happens once per second, not once per response. */
    public static String now() {
        long second = System.currentTimeMillis() / 1000;
        Cached c = current;
        if (c.second != second) {
            c = new Cached(second, IMF_FIXDATE.format(Instant.ofEpochSecond(second)));
            current = c;
        }
        return c.text;
    }

    public static String format(long epochMillis) {
        return IMF_FIXDATE.format(Instant.ofEpochMilli(epochMillis));
    }

    /**
     * Parses the three date forms RFC 9110 says a recipient must accept.
     *
     * @return epoch milliseconds, or -1 when the text is none of them
     */
    public static long parse(String text) {
        String t = text.trim();
        for (DateTimeFormatter f : new DateTimeFormatter[] {IMF_FIXDATE, RFC_850, ASCTIME}) {
            try {
                return ZonedDateTime.parse(t, f).toInstant().toEpochMilli();
            } catch (DateTimeParseException ignored) {
                // try the next form
            }
        }
        return -1;
    }
}
