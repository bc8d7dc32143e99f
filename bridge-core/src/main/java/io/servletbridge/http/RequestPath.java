package io.servletbridge.http;

/**
 * Turns a raw request path into the decoded, normalized path that servlet mapping uses.
 *
 * <p>Rules, chosen with Tomcat's and Jetty's defaults (both reject ambiguous paths rather than guess):
 * <ul>
 *   <li>path parameters ({@code ;jsessionid=...}) are removed from every segment before decoding;</li>
 *   <li>an encoded slash ({@code %2F}), backslash ({@code %5C}) or NUL ({@code %00}) is a 400: decoding it would
 *       let a client hide a path separator from a filter or a proxy;</li>
 *   <li>{@code .} and {@code ..} segments (also when percent-encoded) are resolved after decoding; climbing above
 *       the root is a 400;</li>
 *   <li>malformed percent-encoding or invalid UTF-8 is a 400.</li>
 * </ul>
 */
public final class RequestPath {
    private RequestPath() {
    }

    /** The decoded, normalized form of {@code rawPath} (which must start with '/'). */
    public static String decode(String rawPath) {
        if (rawPath.isEmpty() || rawPath.charAt(0) != '/') {
            throw new BadMessageException("Request path must start with '/'");
        }
        String path = stripPathParameters(rawPath);
        for (int i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
            if (i + 2 < path.length()) {
                char a = path.charAt(i + 1);
                char b = Character.toUpperCase(path.charAt(i + 2));
                if ((a == '2' && b == 'F') || (a == '5' && b == 'C') || (a == '0' && b == '0')) {
                    throw new BadMessageException("Encoded '/', '\\' or NUL in the request path");
                }
            }
        }
        String decoded = PercentDecoder.decodePath(path);
        if (decoded.indexOf('\0') >= 0 || decoded.indexOf('\\') >= 0) {
            throw new BadMessageException("Illegal character in the request path");
        }
        return normalize(decoded);
    }

    static String stripPathParameters(String path) {
        int semi = path.indexOf(';');
        if (semi < 0) {
            return path;
        }
        StringBuilder sb = new StringBuilder(path.length());
        int i = 0;
        while (i < path.length()) {
            char c = path.charAt(i);
            if (c == ';') {
                int next = path.indexOf('/', i);
                i = next < 0 ? path.length() : next;
            } else {
                sb.append(c);
                i++;
            }
        }
        return sb.toString();
    }

    /** Resolves dot segments and collapses nothing else; a path climbing above the root is rejected. */
    static String normalize(String path) {
        if (path.indexOf("/.") < 0) {
            return path;
        }
        String[] segments = path.split("/", -1);
        String[] out = new String[segments.length];
        int n = 0;
        for (int i = 1; i < segments.length; i++) {
            String s = segments[i];
            boolean last = i == segments.length - 1;
            if (s.equals(".")) {
                if (last) {
                    out[n++] = "";
                }
            } else if (s.equals("..")) {
                if (n == 0) {
                    throw new BadMessageException("Request path climbs above the root");
                }
                n--;
                if (last) {
                    out[n++] = "";
                }
            } else {
                out[n++] = s;
            }
        }
        StringBuilder sb = new StringBuilder(path.length());
        for (int i = 0; i < n; i++) {
            sb.append('/').append(out[i]);
        }
        return sb.length() == 0 ? "/" : sb.toString();
    }
}
