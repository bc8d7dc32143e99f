package io.servletbridge.tests.demo;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.servletbridge.Loop;
import io.servletbridge.examples.demo.DemoOptions;
import io.servletbridge.tests.BothLoops;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The demo app's JSON API (issue 3): async servlets, background tasks, and a job that outlives its request. */
class DemoApiTest {
    private static final DemoOptions OPTIONS = DemoOptions.defaults()
            .withQueryLatency(Duration.ofMillis(100))
            .withStandInDelay(Duration.ofMillis(150));

    @BothLoops
    void reportAnswersEveryQueryWithTheSeededNumbers(Loop loop) {
        try (RunningDemo demo = RunningDemo.start(loop, OPTIONS)) {
            HttpResponse<String> r = demo.get("/api/report");
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
            Map<String, Object> report = JsonText.object(r.body());
            Map<String, Object> queries = map(report.get("queries"));
            assertEquals(List.of("top_customers", "sales_by_category", "orders_by_month"),
                    List.copyOf(queries.keySet()));
            assertEquals(ShopExpectations.topCustomers(), map(queries.get("top_customers")).get("rows"));
            assertEquals(ShopExpectations.salesByCategory(), map(queries.get("sales_by_category")).get("rows"));
            assertEquals(ShopExpectations.ordersByMonth(), map(queries.get("orders_by_month")).get("rows"));
            long sum = 0;
            for (Object q : queries.values()) {
                long took = (Long) map(q).get("took_ms");
                assertTrue(took >= OPTIONS.queryLatency().toMillis(), "each query pays the simulated latency: " + q);
                sum += took;
            }
            assertEquals(sum, report.get("sum_of_queries_ms"));
            assertTrue((Long) report.get("total_ms") >= OPTIONS.queryLatency().toMillis());
        }
    }

    @BothLoops
    void externalCallReturnsTheStandInsPayload(Loop loop) {
        try (RunningDemo demo = RunningDemo.start(loop, OPTIONS)) {
            HttpResponse<String> r = demo.get("/api/external");
            assertEquals(200, r.statusCode(), r.body());
            Map<String, Object> call = JsonText.object(r.body());
            assertEquals(200L, call.get("status"));
            assertEquals(demo.uri("/stand-in/api").toString(), call.get("url"));
            assertTrue((Long) call.get("elapsed_ms") >= OPTIONS.standInDelay().toMillis(), r.body());
            Map<String, Object> payload = JsonText.object((String) call.get("body"));
            assertEquals("stand-in", payload.get("service"));
            assertEquals("Hello from the stand-in API", payload.get("message"));
            assertEquals(OPTIONS.standInDelay().toMillis(), payload.get("delay_ms"));
        }
    }

    @BothLoops
    void standInAnswersAfterItsDelay(Loop loop) {
        try (RunningDemo demo = RunningDemo.start(loop, OPTIONS)) {
            long start = System.nanoTime();
            HttpResponse<String> r = demo.get("/stand-in/api");
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("stand-in", JsonText.object(r.body()).get("service"));
            assertTrue(tookMs >= OPTIONS.standInDelay().toMillis(), "answered after " + tookMs + " ms");
        }
    }

    @BothLoops
    void unreachableApiAnswers502(Loop loop) throws IOException {
        URI closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/api");
        }
        try (RunningDemo demo = RunningDemo.start(loop, OPTIONS.withApiUrl(closed))) {
            HttpResponse<String> r = demo.get("/api/external");
            assertEquals(502, r.statusCode(), r.body());
            Map<String, Object> body = JsonText.object(r.body());
            assertEquals(closed.toString(), body.get("url"));
            assertFalse(((String) body.get("error")).isBlank());
        }
    }

    @BothLoops
    void slowApiAnswers504AfterTheTimeout(Loop loop) {
        DemoOptions slow = OPTIONS.withStandInDelay(Duration.ofSeconds(3)).withExternalTimeout(Duration.ofMillis(300));
        try (RunningDemo demo = RunningDemo.start(loop, slow)) {
            long start = System.nanoTime();
            HttpResponse<String> r = demo.get("/api/external");
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(504, r.statusCode(), r.body());
            // The AsyncContext's timeout listener answered, not the HTTP client's own (later) timeout.
            assertEquals("no answer within 300 ms", JsonText.object(r.body()).get("error"));
            assertTrue(tookMs < 2500, "answered after " + tookMs + " ms, not when the API did");
        }
    }

    @BothLoops
    void jobIsAcceptedAtOnceAndFinishesInTheBackground(Loop loop) {
        try (RunningDemo demo = RunningDemo.start(loop, OPTIONS)) {
            HttpResponse<String> accepted = demo.post("/api/jobs");
            assertEquals(202, accepted.statusCode(), accepted.body());
            Map<String, Object> job = JsonText.object(accepted.body());
            assertEquals("running", job.get("status"));
            String id = (String) job.get("id");
            assertEquals("/api/jobs/" + id, accepted.headers().firstValue("Location").orElse(null));

            // The job takes 20 steps of 100 ms: asked right after the 202, it is still under way.
            Map<String, Object> early = JsonText.object(demo.get("/api/jobs/" + id).body());
            assertEquals("running", early.get("status"), early.toString());
            assertTrue((Long) early.get("progress") < 100, early.toString());
            assertEquals(null, early.get("result"));

            Map<String, Object> done = await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                    .until(() -> JsonText.object(demo.get("/api/jobs/" + id).body()),
                            j -> "done".equals(j.get("status")));
            assertEquals(100L, done.get("progress"));
            // pi(2,000,000) = 148,933; the largest prime below two million is 1,999,993.
            assertEquals(Map.of("primes_below", 2_000_000L, "count", 148_933L, "largest", 1_999_993L),
                    done.get("result"));
        }
    }

    @BothLoops
    void unknownJobIs404(Loop loop) {
        try (RunningDemo demo = RunningDemo.start(loop, OPTIONS)) {
            HttpResponse<String> r = demo.get("/api/jobs/no-such-job");
            assertEquals(404, r.statusCode());
            assertEquals("no job with id 'no-such-job'", JsonText.object(r.body()).get("error"));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }
}
