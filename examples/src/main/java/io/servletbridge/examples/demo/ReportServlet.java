package io.servletbridge.examples.demo;

import io.servletbridge.background.BackgroundTasks;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code GET /api/report}: runs the report's queries at the same time, each as a background task, and answers
 * once all are done. The request's worker thread is free again as soon as the queries are submitted.
 */
final class ReportServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final transient ShopDatabase database;

    ReportServlet(ShopDatabase database) {
        this.database = database;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
        AsyncReply reply = AsyncReply.start(req, TIMEOUT);
        BackgroundTasks tasks = BackgroundTasks.of(req);
        long start = System.nanoTime();
        List<CompletableFuture<ShopDatabase.QueryResult>> runs = ReportQuery.ALL.stream()
                .map(q -> tasks.submit("report:" + q.name(), () -> database.run(q, start)))
                .toList();
        CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).whenComplete((done, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                reply.send(HttpServletResponse.SC_INTERNAL_SERVER_ERROR, Map.of("error", "a query failed: " + cause));
            } else {
                reply.send(HttpServletResponse.SC_OK, report(runs.stream().map(CompletableFuture::join).toList(),
                        (System.nanoTime() - start) / 1_000_000));
            }
        });
    }

    private static Map<String, Object> report(List<ShopDatabase.QueryResult> results, long totalMs) {
        Map<String, Object> queries = new LinkedHashMap<>();
        long sumMs = 0;
        for (ShopDatabase.QueryResult r : results) {
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("started_ms", r.startedMs());
            q.put("took_ms", r.tookMs());
            q.put("thread", r.thread());
            q.put("rows", r.rows());
            queries.put(r.name(), q);
            sumMs += r.tookMs();
        }
        Map<String, Object> body = new LinkedHashMap<>();
        // Queries that ran one after another would make total_ms at least their sum; overlapping ones do not.
        body.put("total_ms", totalMs);
        body.put("sum_of_queries_ms", sumMs);
        body.put("queries", queries);
        return body;
    }
}
