package io.servletbridge.servlet;

import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.MappingMatch;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps a path within the context to a servlet by the Servlet spec's rules (chapter 12.1), in this order: exact
 * match, the longest path prefix, the extension of the last segment, the default servlet {@code /}. The pattern
 * {@code ""} matches only the context root. Immutable once built.
 */
final class ServletMapper {

    /** The outcome of mapping one path: which servlet, and how the path splits. */
    record Match(ServletHolder holder, String servletPath, String pathInfo, MappingMatch mappingMatch,
                 String pattern, String matchValue) implements HttpServletMapping {
        @Override
        public String getMatchValue() {
            return matchValue;
        }

        @Override
        public String getPattern() {
            return pattern;
        }

        @Override
        public String getServletName() {
            return holder.getName();
        }

        @Override
        public MappingMatch getMappingMatch() {
            return mappingMatch;
        }
    }

    private record Prefix(String prefix, String pattern, ServletHolder holder) { }

    private final Map<String, ServletHolder> exact = new HashMap<>();
    private final List<Prefix> prefixes = new ArrayList<>();
    private final Map<String, ServletHolder> extensions = new HashMap<>();
    private ServletHolder root;
    private ServletHolder defaultServlet;

    ServletMapper(Collection<ServletHolder> servlets) {
        for (ServletHolder h : servlets) {
            for (String p : h.getMappings()) {
                if (p.isEmpty()) {
                    root = h;
                } else if (p.equals("/")) {
                    defaultServlet = h;
                } else if (p.endsWith("/*")) {
                    prefixes.add(new Prefix(p.substring(0, p.length() - 2), p, h));
                } else if (p.startsWith("*.")) {
                    extensions.put(p.substring(2), h);
                } else {
                    exact.put(p, h);
                }
            }
        }
        prefixes.sort(Comparator.comparingInt((Prefix x) -> x.prefix.length()).reversed());
    }

    /** Throws IllegalArgumentException for a string that is not a servlet URL pattern. */
    static void checkPattern(String p) {
        if (p == null) {
            throw new IllegalArgumentException("URL pattern is null");
        }
        if (p.isEmpty() || p.equals("/")) {
            return;
        }
        if (p.startsWith("*.")) {
            if (p.indexOf('/') >= 0 || p.length() == 2) {
                throw new IllegalArgumentException("Invalid extension pattern: " + p);
            }
            return;
        }
        if (!p.startsWith("/") || p.indexOf('*') >= 0 && !(p.endsWith("/*") && p.indexOf('*') == p.length() - 1)) {
            throw new IllegalArgumentException("Invalid URL pattern: " + p);
        }
    }

    /** Whether {@code pattern} matches {@code path} by the same rules, as filter mappings use them. */
    static boolean patternMatches(String pattern, String path) {
        if (pattern.equals("/*") || pattern.equals("/")) {
            return true;
        }
        if (pattern.isEmpty()) {
            return path.equals("/");
        }
        if (pattern.endsWith("/*")) {
            String prefix = pattern.substring(0, pattern.length() - 2);
            return path.startsWith(prefix)
                    && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
        }
        if (pattern.startsWith("*.")) {
            int slash = path.lastIndexOf('/');
            int dot = path.lastIndexOf('.');
            return dot > slash && path.regionMatches(dot + 1, pattern, 2, pattern.length() - 2)
                    && path.length() - dot - 1 == pattern.length() - 2;
        }
        return pattern.equals(path);
    }

    /** Maps a decoded, normalized path within the context; null when nothing matches. */
    Match map(String path) {
        if (path.equals("/") && root != null) {
            return new Match(root, "", "/", MappingMatch.CONTEXT_ROOT, "", "");
        }
        ServletHolder h = exact.get(path);
        if (h != null) {
            return new Match(h, path, null, MappingMatch.EXACT, path, path.substring(1));
        }
        for (Prefix p : prefixes) {
            String prefix = p.prefix;
            if (path.startsWith(prefix)
                    && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/')) {
                String pathInfo = path.length() == prefix.length() ? null : path.substring(prefix.length());
                return new Match(p.holder, prefix, pathInfo, MappingMatch.PATH, p.pattern,
                        pathInfo == null ? "" : pathInfo.substring(1));
            }
        }
        int slash = path.lastIndexOf('/');
        int dot = path.lastIndexOf('.');
        if (dot > slash) {
            h = extensions.get(path.substring(dot + 1));
            if (h != null) {
                return new Match(h, path, null, MappingMatch.EXTENSION, "*." + path.substring(dot + 1),
                        path.substring(1, dot));
            }
        }
        if (defaultServlet != null) {
            return new Match(defaultServlet, path, null, MappingMatch.DEFAULT, "/", "");
        }
        return null;
    }
}
