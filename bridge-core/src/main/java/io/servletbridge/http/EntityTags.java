package io.servletbridge.http;

/** Entity-tag lists as in {@code If-Match}, {@code If-None-Match} and {@code If-Range} (RFC 9110 8.8.3, 13.1). */
public final class EntityTags {
    private EntityTags() {
    }

    /**
     * Whether {@code list} (a field value: {@code *} or comma-separated entity-tags) names {@code etag}.
     *
     * @param etag the current tag, quotes included, with {@code W/} when weak
     * @param weak weak comparison (If-None-Match): tags match when their opaque parts do; strong comparison
     *             (If-Match, If-Range): both must be strong and equal
     */
    public static boolean matches(String list, String etag, boolean weak) {
        if (list == null) {
            return false;
        }
        if (list.trim().equals("*")) {
            return true;
        }
        boolean currentWeak = etag.startsWith("W/");
        if (currentWeak && !weak) {
            return false;
        }
        String opaque = currentWeak ? etag.substring(2) : etag;
        int i = 0;
        int n = list.length();
        while (i < n) {
            char c = list.charAt(i);
            if (c == ' ' || c == '\t' || c == ',') {
                i++;
                continue;
            }
            boolean tagWeak = false;
            if (c == 'W' && i + 1 < n && list.charAt(i + 1) == '/') {
                tagWeak = true;
                i += 2;
            }
            if (i >= n || list.charAt(i) != '"') {
                // Not an entity-tag: nothing after it can be trusted to line up.
                return false;
            }
            int close = list.indexOf('"', i + 1);
            if (close < 0) {
                return false;
            }
            if ((weak || !tagWeak) && list.regionMatches(i, opaque, 0, opaque.length())
                    && close + 1 - i == opaque.length()) {
                return true;
            }
            i = close + 1;
        }
        return false;
    }

    /** Whether an {@code If-Range} value is an entity-tag rather than a date. */
    public static boolean isTag(String value) {
        String v = value.trim();
        return v.startsWith("\"") || v.startsWith("W/\"");
    }
}
