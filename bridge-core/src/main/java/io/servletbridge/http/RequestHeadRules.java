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
