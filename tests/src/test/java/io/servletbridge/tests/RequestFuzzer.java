package io.servletbridge.tests;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded generator of HTTP/1.1 request bytes: valid requests for {@link FuzzTest}'s application, then mutated
 * structurally (request line, headers, framing, chunked bodies, pipelining) and byte by byte (flip, insert,
 * delete), cut short, and split into several TCP writes.
 *
 * <p>Case {@code i} of seed {@code s} depends on nothing else, so a failure is reproduced from the two numbers alone
 * ({@code -Dfuzz.seed=s -Dfuzz.case=i}), whatever ran before it.
 */
final class RequestFuzzer {
    private static final String CRLF = "\r\n";
    /** Bytes that matter to an HTTP parser, preferred when inserting. */
    private static final byte[] SPECIAL = "\r\n\0 \t:;,=%/?#\"\\\u007f\u00ff".getBytes(StandardCharsets.ISO_8859_1);

    /**
     * One generated input.
     *
     * @param bytes     what the client sends
     * @param writes    how the bytes are cut into socket writes (lengths, summing to {@code bytes.length})
     * @param mutations the operators applied, in order: the first one names the case's family
     * @param complete  whether every request in the input is whole (only request-line and header mutations, none
     *                  that cut, reframe or scramble bytes): the server has all it needs to answer or reject
     *                  without waiting for more bytes or for the client to close
     */
    record Case(long seed, int index, byte[] bytes, int[] writes, List<String> mutations, boolean complete) {

        /** Whether a HEAD request may be among the inputs: its response has headers but never a body. */
        boolean mayContainHead() {
            return new String(bytes, StandardCharsets.ISO_8859_1).contains("HEAD");
        }

        /** The family for grouping: the first mutation without its details, or "valid". */
        String family() {
            return mutations.isEmpty() ? "valid" : mutations.get(0).split("[:(]", 2)[0];
        }

        @Override
        public String toString() {
            return "seed=" + seed + " case=" + index + " (rerun: -Dfuzz.seed=" + seed + " -Dfuzz.case=" + index
                    + ") mutations=" + mutations + " writes=" + Arrays.toString(writes) + " input=" + escape(bytes);
        }
    }

    /**
     * Mutation families after which a request still ends where the server can tell: they touch the request line or
     * header fields but leave line ends and body framing alone. (Line-ending, framing, chunked-body, junk and byte
     * mutations may leave a server legitimately waiting for bytes that never come.)
     */
    private static final java.util.Set<String> KEEP_REQUESTS_WHOLE = java.util.Set.of("pipelined", "method",
            "target", "version", "header-name", "header-value", "obs-fold", "header-line-without-name-or-colon",
            "many-headers", "host");

    private final long seed;

    RequestFuzzer(long seed) {
        this.seed = seed;
    }

    Case generate(int index) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
        List<String> mutations = new ArrayList<>();
        int count = r.nextInt(10) < 7 ? 1 : 1 + r.nextInt(3);
        List<Request> requests = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            requests.add(Request.valid(r));
        }
        if (count > 1) {
            mutations.add("pipelined(" + count + ")");
        }
        int structural = r.nextInt(10) < 2 ? 0 : 1 + r.nextInt(r.nextInt(10) < 8 ? 1 : 3);
        for (int i = 0; i < structural; i++) {
            Request target = requests.get(r.nextInt(requests.size()));
            mutations.add(target.mutate(r));
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Request q : requests) {
            all.writeBytes(q.bytes());
        }
        byte[] bytes = all.toByteArray();
        if (r.nextInt(10) < 3) {
            int ops = 1 + r.nextInt(3);
            for (int i = 0; i < ops; i++) {
                StringBuilder label = new StringBuilder();
                bytes = mutateBytes(r, bytes, label);
                mutations.add(label.toString());
            }
        }
        if (bytes.length > 0 && r.nextInt(100) < 12) {
            int cut = r.nextInt(bytes.length);
            bytes = Arrays.copyOf(bytes, cut);
            mutations.add("truncate:at " + cut);
        }
        // Pipelined requests lead the label only when nothing else was done to them.
        if (mutations.size() > 1 && mutations.get(0).startsWith("pipelined")) {
            mutations.add(mutations.remove(0));
        }
        boolean complete = mutations.stream().allMatch(m -> KEEP_REQUESTS_WHOLE.contains(m.split("[:(]", 2)[0]));
        return new Case(seed, index, bytes, splits(r, bytes.length), List.copyOf(mutations), complete);
    }

    /** One write (most often), a few random cuts, or byte by byte for short inputs. */
    private static int[] splits(SplittableRandom r, int length) {
        int mode = r.nextInt(10);
        if (length == 0 || mode < 5) {
            return new int[] {length};
        }
        if (mode == 9 && length <= 400) {
            int[] ones = new int[length];
            Arrays.fill(ones, 1);
            return ones;
        }
        int cuts = Math.min(length - 1, 1 + r.nextInt(7));
        int[] points = new int[cuts];
        for (int i = 0; i < cuts; i++) {
            points[i] = 1 + r.nextInt(Math.max(1, length - 1));
        }
        Arrays.sort(points);
        List<Integer> writes = new ArrayList<>();
        int last = 0;
        for (int p : points) {
            if (p > last) {
                writes.add(p - last);
                last = p;
            }
        }
        writes.add(length - last);
        return writes.stream().mapToInt(Integer::intValue).toArray();
    }

    private static byte[] mutateBytes(SplittableRandom r, byte[] in, StringBuilder label) {
        if (in.length == 0) {
            label.append("insert:empty");
            return new byte[] {SPECIAL[r.nextInt(SPECIAL.length)]};
        }
        int at = r.nextInt(in.length);
        switch (r.nextInt(4)) {
            case 0 -> {
                byte[] out = in.clone();
                int bit = r.nextInt(8);
                out[at] ^= (byte) (1 << bit);
                label.append("flip:byte ").append(at).append(" bit ").append(bit);
                return out;
            }
            case 1 -> {
                int n = 1 + r.nextInt(6);
                byte[] ins = new byte[n];
                for (int i = 0; i < n; i++) {
                    ins[i] = r.nextBoolean() ? SPECIAL[r.nextInt(SPECIAL.length)] : (byte) r.nextInt(256);
                }
                label.append("insert:").append(n).append(" at ").append(at);
                return splice(in, at, 0, ins);
            }
            case 2 -> {
                int n = Math.min(in.length - at, 1 + r.nextInt(16));
                label.append("delete:").append(n).append(" at ").append(at);
                return splice(in, at, n, new byte[0]);
            }
            default -> {
                int n = Math.min(in.length - at, 1 + r.nextInt(32));
                label.append("duplicate:").append(n).append(" at ").append(at);
                return splice(in, at, 0, Arrays.copyOfRange(in, at, at + n));
            }
        }
    }

    private static byte[] splice(byte[] in, int at, int remove, byte[] insert) {
        byte[] out = new byte[in.length - remove + insert.length];
        System.arraycopy(in, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(in, at + remove, out, at + insert.length, in.length - at - remove);
        return out;
    }

    /** Printable form of an input: CR, LF, NUL and non-ASCII as escapes; very long inputs shortened in the middle. */
    static String escape(byte[] bytes) {
        StringBuilder s = new StringBuilder("\"");
        int limit = 1500;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes.length > limit && i == limit / 2) {
                int skip = bytes.length - limit;
                s.append("...(").append(skip).append(" bytes)...");
                i += skip - 1;
                continue;
            }
            int b = bytes[i] & 0xff;
            switch (b) {
                case '\r' -> s.append("\\r");
                case '\n' -> s.append("\\n");
                case '\t' -> s.append("\\t");
                case '\\' -> s.append("\\\\");
                case '"' -> s.append("\\\"");
                default -> {
                    if (b < 0x20 || b >= 0x7f) {
                        s.append(String.format("\\x%02x", b));
                    } else {
                        s.append((char) b);
                    }
                }
            }
        }
        return s.append('"').append(" (").append(bytes.length).append(" bytes)").toString();
    }

    /** A request as parts, so structural mutations can aim at one of them. Text is ISO-8859-1: one char per byte. */
    private static final class Request {
        String method;
        String target;
        String version = "HTTP/1.1";
        String sp1 = " ";
        String sp2 = " ";
        String prefix = "";
        final List<String> headers = new ArrayList<>();
        String body = "";
        /** Chunks of a chunked body, kept apart so they can be damaged one by one; null when not chunked. */
        List<String> chunks;
        String headEnd = CRLF;
        String lineEnd = CRLF;

        static Request valid(SplittableRandom r) {
            Request q = new Request();
            q.headers.add("Host: 127.0.0.1");
            switch (r.nextInt(6)) {
                case 0 -> {
                    q.method = "GET";
                    q.target = "/echo/" + word(r) + (r.nextBoolean() ? "?" + query(r) : "");
                }
                case 1 -> {
                    q.method = "GET";
                    q.target = "/form?" + query(r);
                }
                case 2 -> {
                    q.method = pick(r, "POST", "PUT", "PATCH", "DELETE");
                    q.target = "/echo/" + word(r);
                    q.body = payload(r);
                    q.headers.add("Content-Type: application/octet-stream");
                    q.headers.add("Content-Length: " + q.body.length());
                }
                case 3 -> {
                    q.method = "POST";
                    q.target = "/form" + (r.nextBoolean() ? "?" + query(r) : "");
                    q.body = query(r);
                    q.headers.add("Content-Type: application/x-www-form-urlencoded"
                            + (r.nextBoolean() ? "; charset=UTF-8" : ""));
                    q.headers.add("Content-Length: " + q.body.length());
                }
                case 4 -> {
                    q.method = "POST";
                    q.target = r.nextBoolean() ? "/echo/chunked" : "/form";
                    q.headers.add("Content-Type: " + (q.target.equals("/form")
                            ? "application/x-www-form-urlencoded" : "text/plain"));
                    q.headers.add("Transfer-Encoding: chunked");
                    String content = q.target.equals("/form") ? query(r) : payload(r);
                    q.chunks = new ArrayList<>();
                    for (int off = 0; off < content.length(); ) {
                        int n = Math.min(content.length() - off, 1 + r.nextInt(700));
                        q.chunks.add(Integer.toHexString(n) + CRLF + content.substring(off, off + n) + CRLF);
                        off += n;
                    }
                    q.chunks.add("0" + CRLF + CRLF);
                }
                default -> {
                    q.method = pick(r, "GET", "OPTIONS", "DELETE", "TRACE");
                    q.target = pick(r, "/echo", "/", "/echo/a/b/c", "/form", "/nothing-here");
                }
            }
            if (r.nextInt(5) == 0) {
                q.headers.add(pick(r, "Connection: keep-alive", "Connection: close", "Accept: */*",
                        "User-Agent: fuzz/1.0", "Expect: 100-continue", "Cookie: a=b; c=d"));
            }
            return q;
        }

        byte[] bytes() {
            StringBuilder s = new StringBuilder(prefix).append(method).append(sp1).append(target);
            if (version != null) {
                s.append(sp2).append(version);
            }
            s.append(lineEnd);
            for (String h : headers) {
                s.append(h).append(lineEnd);
            }
            s.append(headEnd);
            if (chunks != null) {
                chunks.forEach(s::append);
            } else {
                s.append(body);
            }
            return s.toString().getBytes(StandardCharsets.ISO_8859_1);
        }

        /** Applies one structural mutation; returns its label ("family:detail"). */
        String mutate(SplittableRandom r) {
            switch (r.nextInt(17)) {
                case 0 -> {
                    method = pick(r, "GET", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH", "CONNECT", "PRI",
                            "FOO", "get", "G ET", "", "GET\0", "M".repeat(9000), "G\u00c9T", "(GET)", "GET:",
                            "M-SEARCH", "G\tET", "GET\r");
                    return "method:" + shorten(method);
                }
                case 1 -> {
                    target = target(r);
                    return "target:" + shorten(target);
                }
                case 2 -> {
                    version = pick(r, "HTTP/1.0", "HTTP/2.0", "HTTP/1.2", "HTTP/0.9", "HTTP/9.9", "http/1.1",
                            "HTTP/1", "HTTP/1.1x", "", "HTTP/1.1 extra", "HTTP/01.1", "HTTP/1.10", "HTTP/1.1\0",
                            "HTTP /1.1", "HTTP/", "HTTP/1.a", null);
                    return "version:" + shorten(String.valueOf(version));
                }
                case 3 -> {
                    switch (r.nextInt(5)) {
                        case 0 -> sp1 = pick(r, "  ", "\t", "\u000b", "\0", "");
                        case 1 -> sp2 = pick(r, "  ", "\t", "\u000b", "", " \r\n ");
                        case 2 -> prefix = pick(r, CRLF, CRLF + CRLF, " ", "\n", "\0", "\u00ef\u00bb\u00bf");
                        case 3 -> version = version + pick(r, " ", "\t", " \0");
                        default -> sp1 = sp1 + " ";
                    }
                    return "request-line-whitespace";
                }
                case 4 -> {
                    String name = pick(r, "X\u0001Y", "X Y", "X(Y)", "X\u00e9", "", "X\tY", "X\0Y",
                            "N".repeat(20_000), "Host ", " Host", "X-A\r", "X@Y", "{}");
                    headers.add(name + ": v");
                    return "header-name:" + shorten(name);
                }
                case 5 -> {
                    String value = pick(r, "a\rb", "a\nb", "a\0b", "a\u007fb", "\u00ff\u00fe", " padded \t",
                            "v".repeat(10_000), "v".repeat(70_000), "a\r\n\r\nGET /smuggled HTTP/1.1", "\u0001",
                            "a\r\rb");
                    headers.add("X-Fuzz: " + value);
                    return "header-value:" + shorten(value);
                }
                case 6 -> {
                    headers.add("X-Folded: first" + lineEnd + pick(r, " second", "\tsecond", "  ", " "));
                    return "obs-fold";
                }
                case 7 -> {
                    headers.add(r.nextInt(headers.size() + 1), pick(r, "NoColonHere", "X-Missing value", ":",
                            ": empty name", "\tX: leading-tab"));
                    return "header-line-without-name-or-colon";
                }
                case 8 -> {
                    int n = pickInt(r, 99, 150, 1500);
                    for (int i = 0; i < n; i++) {
                        headers.add("X-Many-" + i + ": " + i);
                    }
                    return "many-headers:" + n;
                }
                case 9 -> {
                    headers.removeIf(h -> h.startsWith("Host:"));
                    String host = pick(r, null, "Host: 127.0.0.1", "Host: other.example", "Host:", "Host: a b",
                            "Host: x:99999", "Host: [::1", "Host: x\u0001", "Host: user@x");
                    if (host != null) {
                        headers.add(0, host);
                    }
                    if (r.nextBoolean()) {
                        headers.add("Host: second.example");
                    }
                    return "host:" + host;
                }
                case 10 -> {
                    String value = pick(r, "+5", "-1", "0x10", " 5", "5,5", "5, 6", "99999999999999999999", "",
                            "1e3", "1099511627776", "3 3", "\u0665", String.valueOf(body.length() + 5),
                            String.valueOf(Math.max(0, body.length() - 1)));
                    if (r.nextBoolean()) {
                        headers.removeIf(h -> h.startsWith("Content-Length"));
                    }
                    headers.add("Content-Length: " + value);
                    return "content-length:" + value;
                }
                case 11 -> {
                    String te = pick(r, "chunked", "gzip", "chunked, gzip", "gzip, chunked", "xchunked",
                            "chunked\0", " CHUNKED", "identity", "chunked;q=1", "chunked, chunked", "");
                    headers.add("Transfer-Encoding: " + te);
                    if (chunks == null && r.nextBoolean()) {
                        chunks = new ArrayList<>(List.of(Integer.toHexString(body.length()) + CRLF + body + CRLF,
                                "0" + CRLF + CRLF));
                    }
                    return "transfer-encoding:" + te + (headers.stream().anyMatch(h -> h.startsWith("Content-Len"))
                            ? " with Content-Length" : "");
                }
                case 12 -> {
                    if (chunks == null) {
                        headers.removeIf(h -> h.startsWith("Content-Length"));
                        headers.add("Transfer-Encoding: chunked");
                        chunks = new ArrayList<>(List.of(Integer.toHexString(body.length()) + CRLF + body + CRLF,
                                "0" + CRLF + CRLF));
                    }
                    return "chunked-body:" + mutateChunks(r);
                }
                case 13 -> {
                    switch (r.nextInt(4)) {
                        case 0 -> lineEnd = "\n";
                        case 1 -> lineEnd = "\r";
                        case 2 -> headEnd = "\n";
                        default -> lineEnd = "\n\r";
                    }
                    return "line-ending:" + shorten(lineEnd + "|" + headEnd);
                }
                case 14 -> {
                    headers.add(pick(r, "Expect: 100-continue", "Expect: 100-continue, foo", "Expect: foo",
                            "Connection: close, keep-alive", "Connection: upgrade\r\nUpgrade: h2c",
                            "Connection: Upgrade\r\nUpgrade: websocket", "Connection: \u0000",
                            "Content-Type: application/x-www-form-urlencoded; charset=nope"));
                    return "special-header:" + shorten(headers.get(headers.size() - 1));
                }
                case 15 -> {
                    version = "HTTP/1.0";
                    headers.removeIf(h -> h.startsWith("Host:"));
                    if (r.nextBoolean()) {
                        headers.add("Connection: keep-alive");
                    }
                    return "http10" + (chunks != null ? " chunked" : "");
                }
                default -> {
                    String junk = pick(r, "\u0000\u0001\u0002", "\u0016\u0003\u0001\u0002\u0000\u0001",
                            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "SSH-2.0-OpenSSH_9.6\r\n", "\r\n\r\n\r\n",
                            "\u00ff".repeat(64));
                    prefix = junk;
                    return "junk-prefix:" + shorten(junk);
                }
            }
        }

        private String mutateChunks(SplittableRandom r) {
            if (chunks.isEmpty()) {
                chunks.add("zz" + CRLF);
                return "bad size where the last chunk was removed";
            }
            int i = r.nextInt(chunks.size());
            String chunk = chunks.get(i);
            // An earlier mutation may have changed this chunk's line ends.
            int lineEndAt = chunk.indexOf(CRLF) >= 0 ? chunk.indexOf(CRLF) : Math.max(0, chunk.indexOf('\n'));
            String size = chunk.substring(0, lineEndAt);
            String rest = chunk.substring(lineEndAt);
            switch (r.nextInt(12)) {
                case 0 -> chunks.set(i, "zz" + rest);
                case 1 -> chunks.set(i, size + " " + rest);
                case 2 -> chunks.set(i, "+" + size + rest);
                case 3 -> chunks.set(i, "-" + size + rest);
                case 4 -> chunks.set(i, "ffffffffffffffffff" + rest);
                case 5 -> chunks.set(i, size + pick(r, ";a=b", ";a=\"q d\"", ";", "; a = b", ";a\0", ";"
                        + "e".repeat(9000)) + rest);
                case 6 -> chunks.set(i, chunk.substring(0, chunk.length() - 2));
                case 7 -> chunks.set(i, chunk.substring(0, chunk.length() - 2) + "XX" + CRLF);
                case 8 -> chunks.set(chunks.size() - 1, "0" + CRLF + pick(r, "Trailer-A: 1", "Content-Length: 5",
                        "NoColon", "Bad\u0001Name: v", "T: " + "v".repeat(20_000)) + CRLF + CRLF);
                case 9 -> chunks.remove(chunks.size() - 1);
                case 10 -> chunks.set(i, chunk.replace(CRLF, "\n"));
                default -> chunks.set(i, "0" + size + rest);
            }
            return "chunk " + i + " of " + chunks.size();
        }

        private static String target(SplittableRandom r) {
            return switch (r.nextInt(16)) {
                case 0 -> "/echo/" + pick(r, "..", "../..", "./a/../b", "a/../../..", "%2e%2e/%2e%2e", ".%2e/x",
                        "a/./././b", "..;/x", "%2E%2E%2F");
                case 1 -> "/echo/" + pick(r, "%41%42", "%zz", "%", "%4", "%2F", "%2f", "%00", "%5C", "%c3%28",
                        "%ed%a0%80", "%25", "a%20b", "%u0041", "%C0%AF");
                case 2 -> "/echo/" + "a".repeat(pickInt(r, 4000, 8200, 70_000));
                case 3 -> pick(r, "http://127.0.0.1/echo", "http://other.example/echo", "HTTP://X/echo",
                        "https://x:1/form?a=1", "http://", "http://[::1]/echo", "//echo");
                case 4 -> pick(r, "*", "", "echo", "?a=1", "#frag", "/echo#frag", "/echo?");
                case 5 -> "/echo/" + pick(r, "a b", "a\tb", "a\u0001b", "a\u007fb", "caf\u00e9", "\u00ff\u00fe",
                        "a\\b", "a\"b", "a<b>", "a|b", "a{b}");
                case 6 -> "/form?" + "p=1&".repeat(pickInt(r, 999, 1001, 5000));
                case 7 -> "/form?" + pick(r, "a=%zz", "a=%", "a=%e9", "a=%c3%a9", "=", "&&&", "a", "a==b",
                        "%=%", "a=1;b=2", "a=\u00e9", "a+b=c+d");
                case 8 -> "/echo;jsessionid=x" + pick(r, "", "/a", ";b;c", "/..;/x");
                case 9 -> pick(r, "//", "///echo", "/echo//x", "/./echo", "/echo/.", "/echo/..", "/..");
                case 10 -> "/echo?" + "q".repeat(pickInt(r, 4000, 9000));
                case 11 -> "/echo/" + word(r) + "?" + query(r) + "#" + word(r);
                case 12 -> "/\u0000";
                case 13 -> "/echo/%" + "2525".repeat(20);
                case 14 -> "/" + "./".repeat(200) + "echo";
                default -> "/" + "../".repeat(pickInt(r, 1, 3, 50)) + "echo";
            };
        }

        private static String word(SplittableRandom r) {
            return pick(r, "a", "hello", "x-y_z", "1", "caf%C3%A9", "sp%20ace", "~user", "a.b");
        }

        private static String query(SplittableRandom r) {
            int n = r.nextInt(5);
            StringBuilder q = new StringBuilder();
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    q.append('&');
                }
                q.append(pick(r, "a", "b", "name", "x%20y", "p")).append('=')
                        .append(pick(r, "1", "hello+world", "%C3%A9t%C3%A9", "", "a%26b", "long".repeat(50)));
            }
            return q.toString();
        }

        private static String payload(SplittableRandom r) {
            int n = switch (r.nextInt(10)) {
                case 0 -> 0;
                case 1 -> 70_000;
                default -> r.nextInt(2000);
            };
            StringBuilder s = new StringBuilder(n);
            for (int i = 0; i < n; i++) {
                s.append((char) ('a' + i % 26));
            }
            return s.toString();
        }
    }

    @SafeVarargs
    private static <T> T pick(SplittableRandom r, T... options) {
        return options[r.nextInt(options.length)];
    }

    private static int pickInt(SplittableRandom r, int... options) {
        return options[r.nextInt(options.length)];
    }

    private static String shorten(String s) {
        String e = escape(s.getBytes(StandardCharsets.ISO_8859_1));
        e = e.substring(1, e.lastIndexOf('"'));
        return e.length() > 40 ? e.substring(0, 30) + "...(" + s.length() + " chars)" : e;
    }
}
