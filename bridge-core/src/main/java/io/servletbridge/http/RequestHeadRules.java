package io.servletbridge.http;

import io.servletbridge.spi.HttpFields;
import io.servletbridge.spi.RequestHead;

/**
 * Checks on a parsed request head that hold for every loop, so that a lenient parser on one of them cannot let
 * through what the other refuses (RFC 9110 field syntax, RFC 9112 section 3.2 on {@code Host}).
 */
public final class RequestHeadRules {
    private RequestHeadRules() {
    }

    /** What is wrong with the head, or null when nothing is. */
    public static String problem(RequestHead head) {
        HttpFields fields = head.headers();
        int hosts = 0;
        for (int i = 0; i < fields.size(); i++) {
            String name = fields.name(i);
            if (!isToken(name)) {
                return "Invalid header field name";
            }
            String value = fields.value(i);
            for (int j = 0; j < value.length(); j++) {
                char c = value.charAt(j);
                if (c == '\r' || c == '\n' || c == 0) {
                    return "Invalid character in header field " + name;
                }
            }
            if (name.equalsIgnoreCase("Host")) {
                hosts++;
                if (!isHost(value)) {
                    return "Invalid Host header";
                }
            }
        }
        if (hosts > 1) {
            return "More than one Host header";
        }
        if (hosts == 0 && head.isHttp11()) {
            return "HTTP/1.1 request without a Host header";
        }
        return null;
    }

    /**
     * Whether the client lets the connection carry another request after this one (RFC 9112 9.3): not when any
     * {@code Connection} field lists {@code close}; for HTTP/1.0 only when one lists {@code keep-alive}. Every field
     * line and every list element counts, so that both loops read {@code Connection: close, keep-alive} or two
     * {@code Connection} lines alike (Undertow's parser looks at one whole value only).
     *
     * @param head the request head
     * @return whether the connection may persist as far as the client is concerned
     */
    public static boolean clientKeepAlive(RequestHead head) {
        HttpFields fields = head.headers();
        boolean keepAlive = false;
        for (int i = 0; i < fields.size(); i++) {
            if (!fields.name(i).equalsIgnoreCase("Connection")) {
                continue;
            }
            for (String option : fields.value(i).split(",")) {
                String o = option.strip();
                if (o.equalsIgnoreCase("close")) {
                    return false;
                }
                keepAlive |= o.equalsIgnoreCase("keep-alive");
            }
        }
        return head.isHttp11() || keepAlive;
    }

    /**
     * RFC 9110 7.2 {@code Host = uri-host [ ":" port ]}: a reg-name (unreserved, pct-encoded, sub-delims), an IPv4
     * address (a reg-name by syntax) or a bracketed IP literal, then optional digits. Empty is valid (RFC 9112 3.2:
     * a target without an authority); userinfo ({@code user@x}), spaces and brackets out of place are not.
     */
    static boolean isHost(String value) {
        String v = value.strip();
        int i = 0;
        if (v.startsWith("[")) {
            int close = v.indexOf(']');
            if (close < 0) {
                return false;
            }
            for (int j = 1; j < close; j++) {
                char c = v.charAt(j);
                boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':'
                        || c == '.' || c == 'v' || c == 'V' || isRegNameChar(c);
                if (!ok) {
                    return false;
                }
            }
            i = close + 1;
        } else {
            while (i < v.length() && v.charAt(i) != ':') {
                if (!isRegNameChar(v.charAt(i))) {
                    return false;
                }
                i++;
            }
        }
        if (i == v.length()) {
            return true;
        }
        if (v.charAt(i) != ':') {
            return false;
        }
        for (int j = i + 1; j < v.length(); j++) {
            char c = v.charAt(j);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isRegNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "-._~%!$&'()*+,;=".indexOf(c) >= 0;
    }

    /** RFC 9110 token: one or more tchar. */
    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean tchar = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!tchar) {
                return false;
            }
        }
        return true;
    }
}
