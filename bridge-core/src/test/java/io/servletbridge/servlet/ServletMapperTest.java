package io.servletbridge.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.servletbridge.offload.WorkerPool;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.MappingMatch;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServletMapperTest {

    private static ServletMapper mapper(String[]... servlets) {
        ContainerConfig cfg = new ContainerConfig("", "t", ServletMapperTest.class.getClassLoader(),
                WorkerPool.of(Runnable::run), 8192, 1024, 10, Map.of(), List.of());
        BridgeServletContext ctx = new BridgeServletContext(cfg);
        for (String[] s : servlets) {
            String[] patterns = java.util.Arrays.copyOfRange(s, 1, s.length);
            ctx.addServlet(s[0], new HttpServlet() { }).addMapping(patterns);
        }
        return new ServletMapper(ctx.servletHolders().values());
    }

    @Test
    void followsTheSpecOrder() {
        ServletMapper m = mapper(new String[] {"exact", "/catalog"}, new String[] {"foo", "/foo/bar/*"},
                new String[] {"baz", "/baz/*"}, new String[] {"jsp", "*.jsp"}, new String[] {"def", "/"},
                new String[] {"root", ""});
        ServletMapper.Match r = m.map("/foo/bar/index.html");
        assertEquals("foo", r.getServletName());
        assertEquals("/foo/bar", r.servletPath());
        assertEquals("/index.html", r.pathInfo());
        assertEquals(MappingMatch.PATH, r.getMappingMatch());
        assertEquals("index.html", r.getMatchValue());

        r = m.map("/foo/bar/index.jsp");
        assertEquals("foo", r.getServletName());

        r = m.map("/baz");
        assertEquals("baz", r.getServletName());
        assertEquals("/baz", r.servletPath());
        assertNull(r.pathInfo());

        r = m.map("/catalog/racecar.jsp");
        assertEquals("jsp", r.getServletName());
        assertEquals("/catalog/racecar.jsp", r.servletPath());
        assertEquals("catalog/racecar", r.getMatchValue());
        assertEquals("*.jsp", r.getPattern());

        r = m.map("/catalog");
        assertEquals(MappingMatch.EXACT, r.getMappingMatch());
        assertEquals("catalog", r.getMatchValue());

        r = m.map("/catalog/index.html");
        assertEquals("def", r.getServletName());
        assertEquals(MappingMatch.DEFAULT, r.getMappingMatch());
        assertEquals("/catalog/index.html", r.servletPath());

        r = m.map("/");
        assertEquals("root", r.getServletName());
        assertEquals("", r.servletPath());
        assertEquals("/", r.pathInfo());
        assertEquals(MappingMatch.CONTEXT_ROOT, r.getMappingMatch());
    }

    @Test
    void slashStarTakesEverythingButExactMatches() {
        ServletMapper m = mapper(new String[] {"all", "/*"}, new String[] {"x", "/x"});
        assertEquals("x", m.map("/x").getServletName());
        ServletMapper.Match r = m.map("/a/b");
        assertEquals("all", r.getServletName());
        assertEquals("", r.servletPath());
        assertEquals("/a/b", r.pathInfo());
    }

    @Test
    void nothingMatchesWithoutDefault() {
        assertNull(mapper(new String[] {"x", "/x"}).map("/y"));
    }

    @Test
    void patternsForFilters() {
        assertTrue(ServletMapper.patternMatches("/*", "/anything"));
        assertTrue(ServletMapper.patternMatches("/a/*", "/a"));
        assertTrue(ServletMapper.patternMatches("/a/*", "/a/b"));
        assertFalse(ServletMapper.patternMatches("/a/*", "/ab"));
        assertTrue(ServletMapper.patternMatches("*.html", "/x/y.html"));
        assertFalse(ServletMapper.patternMatches("*.html", "/x.html/y"));
        assertFalse(ServletMapper.patternMatches("*.htm", "/x.html"));
        assertTrue(ServletMapper.patternMatches("/exact", "/exact"));
        assertFalse(ServletMapper.patternMatches("/exact", "/exact/"));
    }

    @Test
    void rejectsInvalidPatterns() {
        assertThrows(IllegalArgumentException.class, () -> ServletMapper.checkPattern("foo"));
        assertThrows(IllegalArgumentException.class, () -> ServletMapper.checkPattern("/a/*/b"));
        assertThrows(IllegalArgumentException.class, () -> ServletMapper.checkPattern("*.a/b"));
    }
}
