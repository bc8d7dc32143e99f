package io.servletbridge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.servletbridge.Loop;
import jakarta.servlet.ServletRequestEvent;
import jakarta.servlet.ServletRequestListener;
import jakarta.servlet.http.HttpServlet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A client that goes away is not a server error: a download cut by a reset is logged at debug level only (as Tomcat
 * does), while a real application failure keeps its ERROR line. The log is slf4j-simple's, which writes each line to
 * whatever {@code System.err} is at that moment, so the test swaps in a copying stream for the duration.
 */
class ClientAbortLogTest {
    /** An slf4j-simple line at WARN or ERROR: {@code HH:mm:ss.SSS [thread] LEVEL logger - message}. */
    private static final Pattern WARN_OR_ERROR = Pattern.compile("\\] (WARN|ERROR) ");

    @BothLoops
    void aClientResettingADownloadLogsNoWarningOrErrorButAnApplicationFailureDoes(Loop loop) throws Exception {
        int rounds = 20;
        byte[] piece = new byte[64 * 1024];
        AtomicInteger downloadsFailed = new AtomicInteger();
        CountDownLatch ended = new CountDownLatch(rounds + 1);
        HttpServlet download = Servlets.of((req, resp) -> {
            resp.setContentType("application/octet-stream");
            try {
                // 64 MiB: far more than socket buffers and the in-flight bound hold, so the reset always finds the
                // servlet still writing.
                for (int i = 0; i < 1024; i++) {
                    resp.getOutputStream().write(piece);
                }
            } catch (IOException e) {
                downloadsFailed.incrementAndGet();
                throw e;
            }
        });
        HttpServlet broken = Servlets.of((req, resp) -> {
            throw new IllegalStateException("a real application failure");
        });
        ServletRequestListener endOfExchange = new ServletRequestListener() {
            @Override
            public void requestDestroyed(ServletRequestEvent sre) {
                ended.countDown();
            }
        };
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        System.setErr(new PrintStream(new LogTee(originalErr, log), true, StandardCharsets.UTF_8));
        try (TestServer server = TestServer.start(loop, b -> b.workers(2, 16)
                .listener(endOfExchange)
                .servlet("download", download, "/download")
                .servlet("broken", broken, "/broken"))) {
            byte[] buf = new byte[16 * 1024];
            for (int i = 0; i < rounds; i++) {
                try (RawHttp c = server.raw()) {
                    c.get("/download");
                    int got = 0;
                    while (got < 128 * 1024) {
                        int n = c.readSome(buf);
                        assertTrue(n > 0, "the download started");
                        got += n;
                    }
                    c.abort();
                }
            }
            assertEquals(500, FaultTest.get(server, "/broken").status());
            // requestDestroyed runs after the container has logged how the exchange ended.
            assertTrue(ended.await(20, TimeUnit.SECONDS), "every exchange ended");
            assertEquals(rounds, downloadsFailed.get(), "every download saw its client go away");
        } finally {
            System.setErr(originalErr);
        }
        List<String> loud = LogTee.captured(log).lines().filter(l -> WARN_OR_ERROR.matcher(l).find())
                .collect(Collectors.toList());
        assertEquals(1, loud.stream().filter(l -> l.contains("GET /broken failed")).count(),
                "the application failure is still an ERROR: " + loud);
        assertEquals(List.of(), loud.stream().filter(l -> !l.contains("GET /broken failed"))
                .collect(Collectors.toList()), "client aborts are not warnings or errors");
    }


}
