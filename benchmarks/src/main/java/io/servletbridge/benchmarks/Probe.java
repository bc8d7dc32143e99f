package io.servletbridge.benchmarks;

import io.servletbridge.benchmarks.servlets.Payloads;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;

/**
 * One request checked byte for byte before wrk runs: wrk only counts status codes, so a server answering the wrong
 * bytes quickly would otherwise look fast.
 */
final class Probe {
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private Probe() {
    }

    /** Null when the server answers the workload's request correctly, else what was wrong. */
    static String check(int port, Workload w) throws InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + port + w.path);
        byte[] upload = Arrays.copyOf(Payloads.DOWNLOAD, w == Workload.UPLOAD_SMALL ? 16 << 10 : 100_000);
        HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
        if (w.uploadBytes() > 0) {
            req.POST(HttpRequest.BodyPublishers.ofByteArray(upload));
        }
        byte[] expected = switch (w) {
            case JSON -> Payloads.JSON;
            case DOWNLOAD, STATIC -> Payloads.DOWNLOAD;
            case UPLOAD, UPLOAD_SMALL -> upload;
            default -> Payloads.HELLO;
        };
        try {
            HttpResponse<byte[]> resp = CLIENT.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (resp.statusCode() != 200) {
                return "probe got status " + resp.statusCode();
            }
            if (!Arrays.equals(resp.body(), expected)) {
                return "probe got " + resp.body().length + " bytes, not the expected " + expected.length;
            }
            return null;
        } catch (IOException e) {
            return "probe failed: " + e;
        }
    }
}
