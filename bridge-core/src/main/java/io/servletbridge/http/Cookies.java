package io.servletbridge.http;

import jakarta.servlet.http.Cookie;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Reads {@code Cookie} request headers and writes {@code Set-Cookie} response headers (RFC 6265). */
public final class Cookies {
    private static final Cookie[] NONE = new Cookie[0];

    private Cookies() {
    }

    /**
     * Parses every {@code Cookie} header value. Pairs that are not {@code name=value} or whose name is not a valid
     * cookie name are skipped rather than failing the request, as browsers send what sites set.
     */
    public static Cookie[] parse(List<String> headerValues) {
        if (headerValues.isEmpty()) {
            return NONE;
        }
        List<Cookie> out = new ArrayList<>();
        for (String header : headerValues) {
            for (String pair : header.split(";")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    continue;
                }
                String name = pair.substring(0, eq).trim();
                String value = pair.substring(eq + 1).trim();
                if (value.length() >= 2 && value.charAt(0) == '"' && value.charAt(value.length() - 1) == '"') {
                    value = value.substring(1, value.length() - 1);
                }
                try {
                    out.add(new Cookie(name, value));
                } catch (IllegalArgumentException invalidName) {
                    // a name the Cookie class refuses (e.g. with separators) cannot be represented; skip it
                }
            }
        }
        return out.isEmpty() ? NONE : out.toArray(NONE);
    }

    /** The {@code Set-Cookie} value for a cookie. */
    public static String format(Cookie c) {
        StringBuilder sb = new StringBuilder(64);
        String value = c.getValue() == null ? "" : c.getValue();
        checkValue(value);
        sb.append(c.getName()).append('=').append(value);
        int maxAge = c.getMaxAge();
        if (maxAge >= 0) {
            sb.append("; Max-Age=").append(maxAge);
            // Expires too, for the old clients that do not understand Max-Age.
            long expires = maxAge == 0 ? 10_000L : System.currentTimeMillis() + maxAge * 1000L;
            sb.append("; Expires=").append(HttpDate.format(expires));
        }
        for (Map.Entry<String, String> a : c.getAttributes().entrySet()) {
            String key = a.getKey();
            String lower = key.toLowerCase(Locale.ROOT);
            if (lower.equals("max-age") || lower.equals("expires")) {
                continue;
            }
            String v = a.getValue();
            checkAttribute(key, v);
            sb.append("; ").append(canonical(lower, key));
            if (v != null && !v.isEmpty() && !(lower.equals("secure") || lower.equals("httponly"))) {
                sb.append('=').append(v);
            }
        }
        return sb.toString();
    }

    private static String canonical(String lower, String given) {
        switch (lower) {
            case "path": return "Path";
            case "domain": return "Domain";
            case "secure": return "Secure";
            case "httponly": return "HttpOnly";
            case "samesite": return "SameSite";
            case "partitioned": return "Partitioned";
            default: return given;
        }
    }

    private static void checkValue(String v) {
        for (int i = 0; i < v.length(); i++) {
            char ch = v.charAt(i);
            // RFC 6265 cookie-octet: no CTLs, whitespace, DQUOTE, comma, semicolon or backslash.
            if (ch < 0x21 || ch > 0x7e || ch == '"' || ch == ',' || ch == ';' || ch == '\\') {
                throw new IllegalArgumentException("Cookie value contains an illegal character (0x"
                        + Integer.toHexString(ch) + "); encode it first");
            }
        }
    }

    private static void checkAttribute(String name, String v) {
        if (v == null) {
            return;
        }
        for (int i = 0; i < v.length(); i++) {
            char ch = v.charAt(i);
            if (ch < 0x20 || ch == 0x7f || ch == ';') {
                throw new IllegalArgumentException("Cookie attribute " + name + " contains an illegal character");
            }
        }
    }
}
