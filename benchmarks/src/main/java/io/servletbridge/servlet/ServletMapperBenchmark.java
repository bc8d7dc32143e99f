package io.servletbridge.servlet;

import io.servletbridge.offload.WorkerPool;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.MappingMatch;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link ServletMapper#map}, run for every request, with 20 URL patterns registered and a path for each kind of
 * match. It lives in the mapper's package because the mapper is package-private; it is a JMH benchmark of the
 * benchmarks module and is not part of bridge-core.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ServletMapperBenchmark {

    /** Which kind of match the path gets. */
    @Param({"exact", "prefix", "extension", "default"})
    public String match;

    private ServletMapper mapper;
    private String path;

    @Setup
    public void setUp() {
        ContainerConfig cfg = new ContainerConfig("", "bench", ServletMapperBenchmark.class.getClassLoader(),
                WorkerPool.of(Runnable::run), 8192, 2 * 1024 * 1024, 1000, Map.of(), List.of());
        BridgeServletContext ctx = new BridgeServletContext(cfg);
        String[][] servlets = {
            {"login", "/login", "/logout"},
            {"health", "/health", "/metrics", "/ready"},
            {"checkout", "/checkout", "/cart"},
            {"favicon", "/favicon.ico"},
            {"api", "/api/*"},
            {"apiV2", "/api/v2/*"},
            {"static", "/static/*", "/assets/*"},
            {"admin", "/admin/*"},
            {"ws", "/ws/*"},
            {"reports", "/reports/*"},
            {"jsp", "*.jsp"},
            {"actions", "*.do", "*.action"},
            {"feeds", "*.xml"},
            {"default", "/"},
        };
        for (String[] s : servlets) {
            ctx.addServlet(s[0], new HttpServlet() { }).addMapping(java.util.Arrays.copyOfRange(s, 1, s.length));
        }
        mapper = new ServletMapper(ctx.servletHolders().values());
        MappingMatch expected;
        switch (match) {
            case "exact":
                path = "/checkout";
                expected = MappingMatch.EXACT;
                break;
            case "prefix":
                path = "/api/orders/48213/items";
                expected = MappingMatch.PATH;
                break;
            case "extension":
                path = "/shop/cart/view.jsp";
                expected = MappingMatch.EXTENSION;
                break;
            case "default":
                path = "/images/brand/logo.png";
                expected = MappingMatch.DEFAULT;
                break;
            default:
                throw new IllegalArgumentException(match);
        }
        ServletMapper.Match m = mapper.map(path);
        if (m == null || m.getMappingMatch() != expected) {
            throw new IllegalStateException(path + " mapped to " + m + ", not " + expected);
        }
    }

    @Benchmark
    public ServletMapper.Match map() {
        return mapper.map(path);
    }
}
