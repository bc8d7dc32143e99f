package io.servletbridge.examples.bench;

import io.servletbridge.BridgeServer;
import io.servletbridge.Loop;
import io.servletbridge.ServletBridge;
import io.servletbridge.background.BackgroundTasks;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Parks many requests in async mode on a small worker pool, then completes them all from one background task, and
 * prints how long that took and how many worker threads it used: proof that a parked request holds no thread.
 *
 * <pre>java -cp examples/target/servlet-bridge-examples-all.jar io.servletbridge.examples.bench.ParkedAsyncBenchmark \
 *      [requests=500] [workers=8]</pre>
 */
public final class ParkedAsyncBenchmark {
    private ParkedAsyncBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int requests = 500;
        int workers = 8;
        for (String a : args) {
            if (a.startsWith("requests=")) {
                requests = Integer.parseInt(a.substring(9));
            } else if (a.startsWith("workers=")) {
                workers = Integer.parseInt(a.substring(8));
            }
        }
        for (Loop loop : Loop.values()) {
            run(loop, requests, workers);
        }
    }

    private static void run(Loop loop, int requests, int workers) throws Exception {
        Queue<AsyncContext> parked = new ConcurrentLinkedQueue<>();
        CountDownLatch allParked = new CountDownLatch(requests);
        Set<String> threads = ConcurrentHashMap.newKeySet();
        HttpServlet park = new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
                threads.add(Thread.currentThread().getName());
                parked.add(req.startAsync());
                allParked.countDown();
            }
        };
        // The queue only has to absorb the arrival burst; each dispatch returns at once.
        BridgeServer server = ServletBridge.builder().loop(loop).workers(workers, requests)
                .configure(ctx -> {
                    var r = ctx.addServlet("park", park);
                    r.addMapping("/park");
                    r.setAsyncSupported(true);
                })
                .start();
        List<Socket> sockets = new ArrayList<>();
        try {
            long t0 = System.nanoTime();
            for (int i = 0; i < requests; i++) {
                Socket s = new Socket("127.0.0.1", server.port());
                s.setSoTimeout(20_000);
                s.getOutputStream().write("GET /park HTTP/1.1\r\nHost: bench\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                sockets.add(s);
            }
            boolean all = allParked.await(20, TimeUnit.SECONDS);
            long tParked = System.nanoTime();
            BackgroundTasks.of(server.servletContext()).run("complete-all", () -> {
                for (AsyncContext ac; (ac = parked.poll()) != null; ) {
                    try {
                        ac.getResponse().getWriter().print("ok");
                    } catch (IOException e) {
                        // that client is gone; complete anyway
                    }
                    ac.complete();
                }
            });
            int ok = 0;
            for (Socket s : sockets) {
                String status = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
                        .readLine();
                if (status != null && status.contains(" 200 ")) {
                    ok++;
                }
            }
            long tDone = System.nanoTime();
            System.out.printf("%-8s %d requests on %d workers: all parked=%s after %d ms; %d answered 200 after %d ms;"
                            + " %d worker threads ran them%n", loop, requests, workers, all,
                    TimeUnit.NANOSECONDS.toMillis(tParked - t0), ok, TimeUnit.NANOSECONDS.toMillis(tDone - t0),
                    threads.size());
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
            server.stop(Duration.ofSeconds(5));
        }
    }
}
