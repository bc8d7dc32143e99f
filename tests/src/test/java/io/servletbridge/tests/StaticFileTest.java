package io.servletbridge.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.servletbridge.Loop;
import io.servletbridge.servlet.StaticFileServlet;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Static files: whole, conditional, ranged, through both the zero-copy path (the loop's {@code sendfile}) and the
 * copying one (a filter wraps the response), and never a file outside the directory.
 */
class StaticFileTest {
    /** Larger than the response buffer: goes out through Exchange.writeFile. */
    private static final int BIG = 1_234_567;

    @TempDir
    static Path root;
    static Path site;
    static byte[] big;
    static byte[] small;

    @BeforeAll
    static void createSite() throws IOException {
        site = Files.createDirectory(root.resolve("site"));
        big = random(1, BIG);
        small = "body { color: red }\n".getBytes(StandardCharsets.UTF_8);
        Files.write(site.resolve("big.bin"), big);
        Files.write(site.resolve("style.css"), small);
        Files.write(site.resolve("noext"), small);
        Files.writeString(site.resolve("index.html"), "<h1>home</h1>");
        Path docs = Files.createDirectory(site.resolve("docs"));
        Files.writeString(docs.resolve("index.html"), "<h1>docs</h1>");
        Files.createDirectory(site.resolve("empty"));
        Files.writeString(root.resolve("secret.txt"), "outside the site");
        Files.createSymbolicLink(site.resolve("escape.txt"), root.resolve("secret.txt"));
        Files.createSymbolicLink(site.resolve("alias.css"), site.resolve("style.css"));
    }

    private static byte[] random(long seed, int n) {
        byte[] b = new byte[n];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }

    private static TestServer site(Loop loop) {
        return TestServer.start(loop, b -> b.staticFiles(site, "/"));
    }

    private static HttpResponse<byte[]> get(TestServer server, String path, String... headers) throws Exception {
        HttpRequest.Builder r = Http.request(server.uri(path)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            r.header(headers[i], headers[i + 1]);
        }
        return Http.CLIENT.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    @BothLoops
    void servesLargeAndSmallFilesWithTheirTypeAndValidators(Loop loop) throws Exception {
        try (TestServer server = site(loop)) {
            HttpResponse<byte[]> r = get(server, "/big.bin");
            assertEquals(200, r.statusCode());
            assertArrayEquals(big, r.body());
            assertEquals(String.valueOf(BIG), header(r, "Content-Length"));
            assertEquals("bytes", header(r, "Accept-Ranges"));
            assertNotNull(header(r, "Last-Modified"));
            assertTrue(header(r, "ETag").matches("\"[0-9a-f]+-[0-9a-f]+\""), header(r, "ETag"));

            HttpResponse<byte[]> css = get(server, "/style.css");
            assertEquals(200, css.statusCode());
            assertArrayEquals(small, css.body());
            assertEquals("text/css", header(css, "Content-Type"));

            HttpResponse<byte[]> unknown = get(server, "/noext");
            assertArrayEquals(small, unknown.body());
            assertNull(header(unknown, "Content-Type"), "RFC 9110 8.3: no type is better than a wrong one");
        }
    }

    @BothLoops
    void aWrappedResponseGetsTheSameBytesCopied(Loop loop) throws Exception {
        AtomicLong seenByWrapper = new AtomicLong();
        try (TestServer server = TestServer.start(loop, b -> b.staticFiles(site, "/")
                .filter("count", Servlets.filter((req, resp, chain) ->
                        chain.doFilter(req, new CountingResponse(resp, seenByWrapper))), "/*"))) {
            HttpResponse<byte[]> r = get(server, "/big.bin");
            assertEquals(200, r.statusCode());
            assertArrayEquals(big, r.body());
            assertEquals(BIG, seenByWrapper.get(), "a wrapper sees every byte; nothing bypassed it");
            HttpResponse<byte[]> ranged = get(server, "/big.bin", "Range", "bytes=100000-1099999");
            assertEquals(206, ranged.statusCode());
            assertArrayEquals(Arrays.copyOfRange(big, 100000, 1100000), ranged.body());
        }
    }

    @BothLoops
    void withSendfileOffTheFileIsCopiedWhole(Loop loop) throws Exception {
        try (TestServer server = TestServer.start(loop, b -> b.servlet("files",
                new StaticFileServlet(site).sendfile(false), "/"))) {
            assertArrayEquals(big, get(server, "/big.bin").body());
            HttpResponse<byte[]> parts = get(server, "/big.bin", "Range", "bytes=0-9,500000-999999");
            assertEquals(206, parts.statusCode());
            String type = header(parts, "Content-Type");
            List<byte[]> bodies = multipartBodies(parts.body(), type.substring(type.indexOf('=') + 1), BIG);
            assertArrayEquals(Arrays.copyOfRange(big, 500000, 1000000), bodies.get(1));
        }
    }

    @BothLoops
    void headAnswersGetsHeadersWithoutTheBody(Loop loop) {
        try (TestServer server = site(loop); RawHttp c = server.raw()) {
            c.send("HEAD /big.bin HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Response head = c.readHead();
            assertEquals(200, head.status(), head.toString());
            assertEquals(String.valueOf(BIG), head.header("Content-Length"));
            // Any body byte would be read as the next status line.
            c.get("/style.css");
            RawHttp.Response next = c.readFinal();
            assertEquals(200, next.status());
            assertArrayEquals(small, next.body());
        }
    }

    @BothLoops
    void conditionalRequestsFollowRfc9110(Loop loop) throws Exception {
        try (TestServer server = site(loop)) {
            HttpResponse<byte[]> first = get(server, "/big.bin");
            String etag = header(first, "ETag");
            String modified = header(first, "Last-Modified");

            HttpResponse<byte[]> notModified = get(server, "/big.bin", "If-None-Match", etag);
            assertEquals(304, notModified.statusCode());
            assertEquals(0, notModified.body().length);
            assertEquals(etag, header(notModified, "ETag"), "RFC 9110 15.4.5: a 304 carries the ETag");
            assertEquals(304, get(server, "/big.bin", "If-None-Match", "\"other\", W/" + etag).statusCode(),
                    "If-None-Match compares weakly");
            assertEquals(200, get(server, "/big.bin", "If-None-Match", "\"other\"").statusCode());
            assertEquals(304, get(server, "/big.bin", "If-Modified-Since", modified).statusCode());
            assertEquals(200, get(server, "/big.bin", "If-Modified-Since", "Sat, 01 Jan 2000 00:00:00 GMT")
                    .statusCode());
            assertEquals(200, get(server, "/big.bin", "If-None-Match", "\"other\"", "If-Modified-Since", modified)
                    .statusCode(), "If-Modified-Since is ignored when If-None-Match is present");
            assertEquals(200, get(server, "/big.bin", "If-Modified-Since", "not a date").statusCode());

            assertEquals(412, get(server, "/big.bin", "If-Match", "\"other\"").statusCode());
            assertEquals(412, get(server, "/big.bin", "If-Match", "W/" + etag).statusCode(),
                    "If-Match compares strongly");
            HttpResponse<byte[]> matched = get(server, "/big.bin", "If-Match", "\"x\", " + etag);
            assertEquals(200, matched.statusCode());
            assertArrayEquals(big, matched.body());
            assertEquals(200, get(server, "/big.bin", "If-Match", "*").statusCode());
            assertEquals(412, get(server, "/big.bin", "If-Unmodified-Since", "Sat, 01 Jan 2000 00:00:00 GMT")
                    .statusCode());
            assertEquals(200, get(server, "/big.bin", "If-Unmodified-Since", modified).statusCode());
        }
    }

    @BothLoops
    void singleRangesAreServedAsPartialContent(Loop loop) throws Exception {
        try (TestServer server = site(loop)) {
            HttpResponse<byte[]> r = get(server, "/big.bin", "Range", "bytes=0-99");
            assertEquals(206, r.statusCode());
            assertEquals("bytes 0-99/" + BIG, header(r, "Content-Range"));
            assertEquals("100", header(r, "Content-Length"));
            assertArrayEquals(Arrays.copyOf(big, 100), r.body());

            HttpResponse<byte[]> tail = get(server, "/big.bin", "Range", "bytes=-500000");
            assertEquals(206, tail.statusCode());
            assertEquals("bytes " + (BIG - 500000) + "-" + (BIG - 1) + "/" + BIG, header(tail, "Content-Range"));
            assertArrayEquals(Arrays.copyOfRange(big, BIG - 500000, BIG), tail.body());

            HttpResponse<byte[]> open = get(server, "/big.bin", "Range", "bytes=17-");
            assertEquals(206, open.statusCode());
            assertArrayEquals(Arrays.copyOfRange(big, 17, BIG), open.body());

            HttpResponse<byte[]> beyond = get(server, "/big.bin", "Range", "bytes=" + BIG + "-");
            assertEquals(416, beyond.statusCode());
            assertEquals("bytes */" + BIG, header(beyond, "Content-Range"));

            HttpResponse<byte[]> otherUnit = get(server, "/big.bin", "Range", "items=0-1");
            assertEquals(200, otherUnit.statusCode(), "RFC 9110 14.2: an unknown range unit is ignored");
            assertArrayEquals(big, otherUnit.body());
        }
    }

    @BothLoops
    void ifRangeResumesOnlyTheSameFile(Loop loop) throws Exception {
        try (TestServer server = site(loop)) {
            HttpResponse<byte[]> first = get(server, "/big.bin");
            String etag = header(first, "ETag");
            String modified = header(first, "Last-Modified");
            HttpResponse<byte[]> resumed = get(server, "/big.bin", "Range", "bytes=1000-", "If-Range", etag);
            assertEquals(206, resumed.statusCode());
            assertArrayEquals(Arrays.copyOfRange(big, 1000, BIG), resumed.body());
            assertEquals(206, get(server, "/big.bin", "Range", "bytes=1000-", "If-Range", modified).statusCode());
            HttpResponse<byte[]> changed = get(server, "/big.bin", "Range", "bytes=1000-", "If-Range", "\"stale\"");
            assertEquals(200, changed.statusCode(), "a validator that no longer holds sends the whole file");
            assertArrayEquals(big, changed.body());
        }
    }

    @BothLoops
    void severalRangesComeAsMultipartByteranges(Loop loop) throws Exception {
        try (TestServer server = site(loop)) {
            HttpResponse<byte[]> r = get(server, "/big.bin", "Range", "bytes=0-9,500000-999999,-5");
            assertEquals(206, r.statusCode());
            String type = header(r, "Content-Type");
            assertTrue(type.replace(" ", "").startsWith("multipart/byteranges;boundary="), type);
            String boundary = type.substring(type.indexOf('=') + 1);
            assertEquals(String.valueOf(r.body().length), header(r, "Content-Length"));
            List<byte[]> parts = multipartBodies(r.body(), boundary, BIG);
            assertEquals(3, parts.size());
            assertArrayEquals(Arrays.copyOf(big, 10), parts.get(0));
            assertArrayEquals(Arrays.copyOfRange(big, 500000, 1000000), parts.get(1));
            assertArrayEquals(Arrays.copyOfRange(big, BIG - 5, BIG), parts.get(2));

            HttpResponse<byte[]> overlapping = get(server, "/big.bin", "Range", "bytes=0-99,50-149,100-199");
            assertEquals(206, overlapping.statusCode());
            assertEquals("bytes 0-199/" + BIG, header(overlapping, "Content-Range"),
                    "overlapping ranges are merged into one, not sent three times");
            assertArrayEquals(Arrays.copyOf(big, 200), overlapping.body());
        }
    }

    /** Splits a multipart/byteranges body, checking each part's Content-Range against its bytes. */
    private static List<byte[]> multipartBodies(byte[] body, String boundary, long length) {
        String text = new String(body, StandardCharsets.ISO_8859_1);
        String delimiter = "--" + boundary;
        assertTrue(text.startsWith(delimiter + "\r\n"), "the body starts with the first delimiter");
        assertTrue(text.endsWith("\r\n" + delimiter + "--\r\n"), "and ends with the closing one");
        List<byte[]> parts = new ArrayList<>();
        int at = 0;
        while (text.startsWith(delimiter + "\r\n", at)) {
            int headEnd = text.indexOf("\r\n\r\n", at);
            String partHead = text.substring(at, headEnd);
            String range = partHead.lines().filter(l -> l.startsWith("Content-Range: bytes ")).findFirst()
                    .orElseThrow().substring("Content-Range: bytes ".length());
            assertTrue(range.endsWith("/" + length), range);
            String[] span = range.substring(0, range.indexOf('/')).split("-");
            int first = Integer.parseInt(span[0]);
            int last = Integer.parseInt(span[1]);
            int start = headEnd + 4;
            parts.add(Arrays.copyOfRange(body, start, start + last - first + 1));
            at = start + last - first + 1;
            assertTrue(text.startsWith("\r\n", at), "a part ends with CRLF before the next delimiter");
            at += 2;
        }
        assertEquals(delimiter + "--\r\n", text.substring(at));
        return parts;
    }

    @BothLoops
    void directoriesRedirectThenServeTheirWelcomeFile(Loop loop) throws Exception {
        try (TestServer server = site(loop)) {
            HttpResponse<byte[]> redirect = get(server, "/docs?x=1");
            assertEquals(302, redirect.statusCode());
            assertTrue(header(redirect, "Location").endsWith("/docs/?x=1"), header(redirect, "Location"));
            HttpResponse<byte[]> docs = get(server, "/docs/");
            assertEquals(200, docs.statusCode());
            assertEquals("<h1>docs</h1>", new String(docs.body(), StandardCharsets.UTF_8));
            assertEquals("text/html", header(docs, "Content-Type"));
            assertEquals("<h1>home</h1>", new String(get(server, "/").body(), StandardCharsets.UTF_8));
            assertEquals(404, get(server, "/empty/").statusCode(), "no listings");
            assertEquals(404, get(server, "/missing.txt").statusCode());
        }
    }

    @BothLoops
    void aPrefixMappingServesThePathAfterThePrefix(Loop loop) throws Exception {
        try (TestServer server = TestServer.start(loop, b -> b.staticFiles(site, "/assets/*")
                .servlet("hello", Servlets.text("hello"), "/hello"))) {
            assertArrayEquals(small, get(server, "/assets/style.css").body());
            assertEquals("<h1>docs</h1>", new String(get(server, "/assets/docs/").body(), StandardCharsets.UTF_8));
            assertEquals(302, get(server, "/assets").statusCode());
            assertEquals(404, get(server, "/style.css").statusCode());
            assertEquals("hello", new String(get(server, "/hello").body(), StandardCharsets.UTF_8));
        }
    }

    @BothLoops
    void nothingOutsideTheDirectoryIsServed(Loop loop) throws Exception {
        try (TestServer server = site(loop)) {
            assertEquals(404, get(server, "/escape.txt").statusCode(), "a link leaving the directory");
            assertArrayEquals(small, get(server, "/alias.css").body(), "a link inside it is fine");
            for (String target : List.of("/../secret.txt", "/%2e%2e/secret.txt", "/docs/..%2f..%2fsecret.txt",
                    "//" + root.resolve("secret.txt"), "/docs/../../secret.txt")) {
                try (RawHttp c = server.raw()) {
                    c.get(target);
                    RawHttp.Response r = c.readFinal();
                    assertTrue(r.status() == 400 || r.status() == 404, target + " -> " + r);
                    assertFalse(r.bodyText().contains("outside the site"), target);
                }
            }
        }
    }

    @BothLoops
    void onlyGetHeadAndOptionsAreAllowed(Loop loop) throws Exception {
        try (TestServer server = site(loop)) {
            HttpResponse<String> post = Http.post(server.uri("/style.css"), "text/plain", "x");
            assertEquals(405, post.statusCode());
            assertEquals("GET, HEAD, OPTIONS", post.headers().firstValue("Allow").orElse(null));
            HttpResponse<String> options = Http.send(Http.request(server.uri("/style.css"))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build());
            assertEquals(200, options.statusCode());
            assertEquals("GET, HEAD, OPTIONS", options.headers().firstValue("Allow").orElse(null));
        }
    }

    @BothLoops
    void aSlowClientDoesNotHoldAWorker(Loop loop) throws Exception {
        // 64 MiB the client does not read: far more than the socket buffers take. With the file handed to the
        // loop, the only worker is free again at once; copying, it would wait for the client.
        Path huge = root.resolve("huge-" + loop + ".bin");
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(64L << 20);
        }
        try (TestServer server = TestServer.start(loop, b -> b.workers(1, 4)
                .servlet("files", new StaticFileServlet(root), "/files/*")
                .servlet("hello", Servlets.text("hello"), "/hello"));
             RawHttp stalled = server.raw()) {
            stalled.get("/files/" + huge.getFileName());
            assertEquals(200, stalled.readHead().status());
            for (int i = 0; i < 3; i++) {
                assertEquals("hello", Http.get(server.uri("/hello")).body());
            }
        }
        awaitClosed(huge);
    }

    @BothLoops
    void aClientLeavingMidFileClosesTheFile(Loop loop) throws Exception {
        Path huge = root.resolve("leaving-" + loop + ".bin");
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(64L << 20);
        }
        try (TestServer server = TestServer.start(loop, b -> b.staticFiles(root, "/"))) {
            for (int i = 0; i < 4; i++) {
                try (RawHttp c = server.raw()) {
                    c.get("/" + huge.getFileName());
                    assertEquals(200, c.readHead().status());
                    c.abort();
                }
            }
            awaitClosed(huge);
            // The loop lives on: the same server still answers.
            HttpResponse<byte[]> r = get(server, "/site/style.css");
            assertArrayEquals(small, r.body());
        }
    }

    @BothLoops
    void concurrentDownloadsEachArriveWhole(Loop loop) throws Exception {
        try (TestServer server = site(loop)) {
            List<CompletableFuture<HttpResponse<byte[]>>> all = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String range = i % 2 == 0 ? null : "bytes=" + (i * 1000) + "-";
                HttpRequest.Builder r = Http.request(server.uri("/big.bin")).timeout(Duration.ofSeconds(30));
                if (range != null) {
                    r.header("Range", range);
                }
                all.add(Http.CLIENT.sendAsync(r.build(), HttpResponse.BodyHandlers.ofByteArray()));
            }
            for (int i = 0; i < all.size(); i++) {
                HttpResponse<byte[]> r = all.get(i).get();
                assertArrayEquals(i % 2 == 0 ? big : Arrays.copyOfRange(big, i * 1000, BIG), r.body(), "#" + i);
            }
        }
        awaitClosed(site.resolve("big.bin"));
    }

    /** Waits until no descriptor of this JVM points at {@code file}: the loop closed what it was handed. */
    private static void awaitClosed(Path file) throws IOException {
        Path real = file.toRealPath();
        await().atMost(Duration.ofSeconds(10)).until(() -> openDescriptors(real) == 0);
    }

    private static long openDescriptors(Path file) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(file);
                } catch (IOException e) {
                    return false; // closed while listing
                }
            }).count();
        }
    }

    /** A filter's wrapper that counts the body bytes it passes on. */
    private static final class CountingResponse extends HttpServletResponseWrapper {
        private final AtomicLong count;
        private final HttpServletResponse inner;

        CountingResponse(HttpServletResponse inner, AtomicLong count) {
            super(inner);
            this.inner = inner;
            this.count = count;
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            ServletOutputStream out = inner.getOutputStream();
            return new ServletOutputStream() {
                @Override
                public void write(int b) throws IOException {
                    count.incrementAndGet();
                    out.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    count.addAndGet(len);
                    out.write(b, off, len);
                }

                @Override
                public boolean isReady() {
                    return out.isReady();
                }

                @Override
                public void setWriteListener(WriteListener listener) {
                    out.setWriteListener(listener);
                }
            };
        }
    }
}
