package io.servletbridge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.servletbridge.Loop;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletMapping;
import java.net.http.HttpResponse;

/**
 * URL-pattern mapping (Servlet 6.1 chapter 12) and the request path elements (3.6): each servlet answers with what
 * it saw, as {@code servletName|servletPath|pathInfo|matchValue|pattern|mappingMatch|contextPath|requestURI}.
 */
class MappingTest {

    private static HttpServlet describing(String name) {
        return Servlets.of((req, resp) -> {
            HttpServletMapping m = req.getHttpServletMapping();
            resp.setContentType("text/plain;charset=UTF-8");
            resp.getWriter().print(name + "|" + req.getServletPath() + "|" + req.getPathInfo() + "|"
                    + m.getMatchValue() + "|" + m.getPattern() + "|" + m.getMappingMatch() + "|" + m.getServletName()
                    + "|" + req.getContextPath() + "|" + req.getRequestURI());
        });
    }

    private static TestServer start(Loop loop, String contextPath) {
        return TestServer.start(loop, b -> b.contextPath(contextPath)
                .servlet("exact", describing("exact"), "/catalog", "/foo/bar")
                .servlet("prefix", describing("prefix"), "/foo/*")
                .servlet("longer", describing("longer"), "/foo/bar/*")
                .servlet("ext", describing("ext"), "*.bop")
                .servlet("root", describing("root"), "")
                .servlet("default", describing("default"), "/"));
    }

    private static String get(TestServer server, String path) {
        HttpResponse<String> r = Http.get(server.uri(path));
        assertEquals(200, r.statusCode(), path);
        return r.body();
    }

    @BothLoops
    void exactMatchWins(Loop loop) {
        try (TestServer s = start(loop, "")) {
            assertEquals("exact|/catalog|null|catalog|/catalog|EXACT|exact||/catalog", get(s, "/catalog"));
            // An exact pattern beats a path prefix that also matches.
            assertEquals("exact|/foo/bar|null|foo/bar|/foo/bar|EXACT|exact||/foo/bar", get(s, "/foo/bar"));
        }
    }

    @BothLoops
    void longestPathPrefixWins(Loop loop) {
        try (TestServer s = start(loop, "")) {
            assertEquals("longer|/foo/bar|/index.html|index.html|/foo/bar/*|PATH|longer||/foo/bar/index.html",
                    get(s, "/foo/bar/index.html"));
            // A path-prefix match beats an extension match (spec 12.1 step 2 before 3).
            assertEquals("longer|/foo/bar|/index.bop|index.bop|/foo/bar/*|PATH|longer||/foo/bar/index.bop",
                    get(s, "/foo/bar/index.bop"));
            assertEquals("prefix|/foo|/x/y|x/y|/foo/*|PATH|prefix||/foo/x/y", get(s, "/foo/x/y"));
            // "/foo/*" also matches "/foo" itself, with a null path info.
            assertEquals("prefix|/foo|null||/foo/*|PATH|prefix||/foo", get(s, "/foo"));
        }
    }

    @BothLoops
    void extensionMatch(Loop loop) {
        try (TestServer s = start(loop, "")) {
            assertEquals("ext|/index.bop|null|index|*.bop|EXTENSION|ext||/index.bop", get(s, "/index.bop"));
            assertEquals("ext|/catalog/racecar.bop|null|catalog/racecar|*.bop|EXTENSION|ext||/catalog/racecar.bop",
                    get(s, "/catalog/racecar.bop"));
        }
    }

    @BothLoops
    void defaultServletGetsEverythingElse(Loop loop) {
        try (TestServer s = start(loop, "")) {
            assertEquals("default|/catalog/index.html|null||/|DEFAULT|default||/catalog/index.html",
                    get(s, "/catalog/index.html"));
            assertEquals("default|/index.html|null||/|DEFAULT|default||/index.html", get(s, "/index.html"));
        }
    }

    @BothLoops
    void emptyPatternMapsTheContextRoot(Loop loop) {
        try (TestServer s = start(loop, "")) {
            assertEquals("root||/|||CONTEXT_ROOT|root||/", get(s, "/"));
        }
    }

    @BothLoops
    void contextPathIsStrippedAndEnforced(Loop loop) {
        try (TestServer s = start(loop, "/app")) {
            assertEquals("/app", s.bridge().servletContext().getContextPath());
            assertEquals("exact|/catalog|null|catalog|/catalog|EXACT|exact|/app|/app/catalog", get(s, "/app/catalog"));
            assertEquals("longer|/foo/bar|/a b|a b|/foo/bar/*|PATH|longer|/app|/app/foo/bar/a%20b",
                    get(s, "/app/foo/bar/a%20b"));
            assertEquals("root||/|||CONTEXT_ROOT|root|/app|/app/", get(s, "/app/"));
            assertEquals("default|/x.html|null||/|DEFAULT|default|/app|/app/x.html", get(s, "/app/x.html"));
            assertEquals(404, Http.get(s.uri("/catalog")).statusCode(), "outside the context path");
            assertEquals(404, Http.get(s.uri("/application/catalog")).statusCode(), "a longer first segment");
        }
    }
}
