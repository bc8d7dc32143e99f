package io.servletbridge.examples.demo;

import io.servletbridge.background.BackgroundTasks;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * {@code POST /api/jobs} starts a job and answers 202 at once; {@code GET /api/jobs/{id}} reports its progress.
 * The job is a named background task, so it keeps running after the 202 went out.
 */
final class JobsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private final transient JobRegistry jobs;

    JobsServlet(JobRegistry jobs) {
        this.jobs = jobs;
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (req.getPathInfo() != null && !req.getPathInfo().equals("/")) {
            send(resp, HttpServletResponse.SC_METHOD_NOT_ALLOWED, Map.of("error", "POST to /api/jobs starts a job"));
            return;
        }
        Optional<Job> created = jobs.create();
        if (created.isEmpty()) {
            resp.setHeader("Retry-After", "5");
            send(resp, HttpServletResponse.SC_SERVICE_UNAVAILABLE, Map.of("error", "too many jobs running"));
            return;
        }
        Job job = created.get();
        BackgroundTasks.of(req).run("job-" + job.id(), job::run).whenComplete((ran, failure) -> {
            if (failure != null && !job.finished()) {
                job.fail("not started: " + failure);
            }
        });
        if (job.status() == Job.Status.FAILED) { // a full task queue or a stopping server rejected it at once
            resp.setHeader("Retry-After", "5");
            send(resp, HttpServletResponse.SC_SERVICE_UNAVAILABLE, job.toJson());
            return;
        }
        resp.setHeader("Location", req.getContextPath() + "/api/jobs/" + job.id());
        send(resp, HttpServletResponse.SC_ACCEPTED, Map.of("id", job.id(), "status", "running"));
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo();
        String id = path == null || path.length() < 2 ? "" : path.substring(1);
        Optional<Job> job = id.isEmpty() ? Optional.empty() : jobs.find(id);
        if (job.isPresent()) {
            send(resp, HttpServletResponse.SC_OK, job.get().toJson());
        } else {
            send(resp, HttpServletResponse.SC_NOT_FOUND,
                    Map.of("error", id.isEmpty() ? "ask for /api/jobs/{id}" : "no job with id '" + id + "'"));
        }
    }

    private static void send(HttpServletResponse resp, int status, Map<String, ?> body) throws IOException {
        resp.setStatus(status);
        resp.setContentType("application/json;charset=utf-8");
        resp.setHeader("Cache-Control", "no-store");
        resp.getWriter().write(Json.write(body));
    }
}
