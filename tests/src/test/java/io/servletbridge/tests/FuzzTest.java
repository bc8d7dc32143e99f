package io.servletbridge.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.servletbridge.Loop;
import jakarta.servlet.http.HttpServlet;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;

/**
 * Generated malformed and unusual requests against a bridge on each loop ({@link RequestFuzzer}, seeded and
 * deterministic), checking what a client and an operator would see for every input: a well-formed HTTP/1.x answer
 * or a closed connection, never a hang, never a 500 for a parser-level fault, the loop still serving afterwards, no
 * leaked Netty buffer ({@link NettyLeakGuard}) and no thread left behind. The same inputs on both loops are also
 * compared (first answer's status class and whether it closed the connection).
 *
 * <p>Budget and seed: {@code -Dfuzz.seconds=30} per loop (default), {@code -Dfuzz.seed=N} (default: a fixed seed, so
 * that a build runs a prefix of the same input sequence every time and a red CI run always means a change broke
 * something; {@code -Dfuzz.seed=random} explores a new sequence, printed); {@code -Dfuzz.case=I} runs that single
 * case of the seed.
 */
class FuzzTest {
    /**
     * Whether a difference between the loops fails the build: a backend difference is a bug. The comparison is of
     * the first answer only (status, and whether it says it closes, or "closed without a response"), which does not
     * depend on timing: each loop decides it from the bytes of the request alone.
     */
    static final boolean ASSERT_SAME_STATUS_ON_BOTH_LOOPS = true;

    /** No byte and no close for this long after the request is complete: the server hangs. */
    static final int READ_TIMEOUT_MS = 3_000;
    /** A case taking longer than this in total (a server trickling bytes, a write that cannot complete) hangs too. */
    static final long CASE_DEADLINE_MS = 10_000;
    private static final int MAX_CASES = 1_000_000;
    private static final int MAX_REPORTED_FAILURES = 10;

    /**
     * Bugs the fuzzer found in code other work owns. A failure matching one is counted and printed, not failed, so
     * the suite stays green while the bug stays visible in every run; each one has its input in {@link FuzzCorpus}
     * as {@code regression-...}. Remove the entry with the fix. Empty since the strict validator: the four undertow
     * bugs listed here before (an HTTP/0.9 status line, hangs on {@code Transfer-Encoding: gzip}, on chunk size
     * {@code zz} and on a colon-only header line) no longer happen, and their corpus inputs run on every build.
     */
    private static final List<KnownBug> KNOWN_BUGS = List.of();

    private record KnownBug(Loop loop, String failureContains, String inputContains, String description) {
        boolean matches(Loop l, String failure) {
            return loop == l && failure.contains(failureContains) && failure.contains(inputContains);
        }
    }

    /** The sequence every build runs unless told otherwise; new finds from random seeds become corpus entries. */
    static final long DEFAULT_SEED = 20261121L;
    static final long SEED = seed(System.getProperty("fuzz.seed"));

    private static long seed(String property) {
        if (property == null || property.isBlank()) {
            return DEFAULT_SEED;
        }
        return property.equals("random") ? System.nanoTime() : Long.parseLong(property.trim());
    }
    private static final Duration BUDGET = Duration.ofSeconds(Long.getLong("fuzz.seconds", 30));
    private static final Integer ONLY_CASE = Integer.getInteger("fuzz.case");

    /** First answers per loop, by case index (generated) or corpus name, for the comparison after both loops ran. */
    private static final Map<Loop, Map<String, Answer>> ANSWERS = new ConcurrentHashMap<>();

    private record Answer(String first, String family, String detail, String input) {
    }

    /**
     * The first mutation, as the row a mismatch is grouped under: whole for structural ones (their details come
     * from short fixed lists and say what was done), with positions and sizes dropped for byte-level ones.
     */
    private static String detail(RequestFuzzer.Case c) {
        if (c.mutations().isEmpty()) {
            return "valid";
        }
        String first = c.mutations().get(0);
        return BYTE_LEVEL.contains(c.family()) ? c.family() : first;
    }

    private static final java.util.Set<String> BYTE_LEVEL = java.util.Set.of("flip", "insert", "delete",
            "duplicate", "truncate");

    /** Echoes what it understood: method, URI, parameter count, body length. Reads the whole body. */
    private static HttpServlet echo() {
        return Servlets.of((req, resp) -> {
            int params = req.getParameterMap().size();
            byte[] body = req.getInputStream().readAllBytes();
            resp.setContentType("text/plain;charset=UTF-8");
            resp.getWriter().print(req.getMethod() + " " + req.getRequestURI() + " params=" + params + " body="
                    + body.length);
        });
    }

    /** Decodes a form (query or urlencoded body) through getParameter, as most applications do. */
    private static HttpServlet form() {
        return Servlets.of((req, resp) -> {
            String a = req.getParameter("a");
            resp.setContentType("text/plain;charset=UTF-8");
            resp.getWriter().print("a=" + a + " names=" + req.getParameterMap().keySet());
        });
    }

    private static TestServer start(Loop loop) {
        return TestServer.start(loop, b -> b.servlet("echo", echo(), "/").servlet("form", form(), "/form"));
    }

    /**
     * The suite's 30 s default timeout cannot hold a run whose budget is set on the command line; the run bounds
     * itself (budget, per-case deadlines), and a preemptive timeout scaled to the budget stays as the safety net.
     */
    @BothLoops
    @Timeout(value = 24, unit = TimeUnit.HOURS)
    void generatedRequestsGetAWellFormedAnswerOrAClose(Loop loop) {
        assertTimeoutPreemptively(BUDGET.plusMinutes(2), () -> generated(loop));
    }

    private void generated(Loop loop) throws Exception {
        RequestFuzzer fuzzer = new RequestFuzzer(SEED);
        System.out.printf("FuzzTest [%s]: seed=%d budget=%ds%s (rerun with -Dfuzz.seed=%d)%n", loop, SEED,
                BUDGET.toSeconds(), ONLY_CASE == null ? "" : " case=" + ONLY_CASE, SEED);
        List<RequestFuzzer.Case> cases = new ArrayList<>();
        if (ONLY_CASE != null) {
            cases.add(fuzzer.generate(ONLY_CASE));
        }
        long deadline = System.nanoTime() + BUDGET.toNanos();
        int[] index = {0};
        fuzz(loop, "generated", () -> {
            if (ONLY_CASE != null) {
                return index[0] < cases.size() ? new Named(String.valueOf(ONLY_CASE), cases.get(index[0]++)) : null;
            }
            if (index[0] >= MAX_CASES || System.nanoTime() > deadline) {
                return null;
            }
            int i = index[0]++;
            return new Named(String.valueOf(i), fuzzer.generate(i));
        });
    }

    /** A failure is only worth its seed if the seed reproduces it, whatever ran before; and no case may throw. */
    @org.junit.jupiter.api.Test
    void generatorIsDeterministicPerSeedAndCase() {
        RequestFuzzer a = new RequestFuzzer(SEED);
        RequestFuzzer b = new RequestFuzzer(SEED);
        for (int i = 0; i < 20_000; i++) {
            RequestFuzzer.Case x = a.generate(i);
            if (i % 1000 == 0) {
                RequestFuzzer.Case y = b.generate(i);
                org.junit.jupiter.api.Assertions.assertArrayEquals(x.bytes(), y.bytes(), x.toString());
                org.junit.jupiter.api.Assertions.assertArrayEquals(x.writes(), y.writes(), x.toString());
                org.junit.jupiter.api.Assertions.assertEquals(x.bytes().length, java.util.Arrays.stream(x.writes())
                        .sum(), x.toString());
            }
        }
    }

    @BothLoops
    void corpusOfInterestingInputs(Loop loop) throws Exception {
        List<Named> corpus = new ArrayList<>();
        FuzzCorpus.inputs().forEach((name, text) -> corpus.add(new Named("corpus " + name,
                new RequestFuzzer.Case(0, corpus.size(), text.getBytes(StandardCharsets.ISO_8859_1),
                        new int[] {text.length()}, List.of(name), !FuzzCorpus.INCOMPLETE.contains(name)))));
        int[] index = {0};
        fuzz(loop, "corpus", () -> index[0] < corpus.size() ? corpus.get(index[0]++) : null);
    }

    private record Named(String key, RequestFuzzer.Case input) {
    }

    private interface Source {
        Named next();
    }

    private void fuzz(Loop loop, String what, Source source) throws Exception {
        warmUp(loop);
        int baselineThreads = ManagementFactory.getThreadMXBean().getThreadCount();
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fuzz-watchdog");
            t.setDaemon(true);
            return t;
        });
        List<String> failures = new ArrayList<>();
        int cases = 0;
        Map<String, Integer> known = new TreeMap<>();
        Map<String, Integer> outcomes = new TreeMap<>();
        Map<String, Answer> answers = ANSWERS.computeIfAbsent(loop, l -> new ConcurrentHashMap<>());
        try (TestServer server = start(loop)) {
            for (Named n; (n = source.next()) != null; ) {
                cases++;
                RequestFuzzer.Case c = n.input();
                String failure;
                try {
                    ResponseStream.Outcome o;
                    try {
                        o = send(server.port(), c, watchdog, READ_TIMEOUT_MS);
                    } catch (ResponseStream.Hang first) {
                        // A real hang lasts; a stall of a loaded CI machine does not. Look again, longer, before
                        // calling it one (unless it is a known one, which would only cost time).
                        if (isKnown(loop, "hang: " + first.getMessage() + "\n" + c, new TreeMap<>())) {
                            throw first;
                        }
                        o = send(server.port(), c, watchdog, 3 * READ_TIMEOUT_MS);
                    }
                    outcomes.merge(o.firstAnswer(), 1, Integer::sum);
                    answers.put(n.key(), new Answer(o.firstAnswer(), c.family(), detail(c), c.toString()));
                    failure = o.statuses().contains(500) ? "answered 500 " + o.statuses() : null;
                } catch (ResponseStream.Malformed e) {
                    failure = "malformed response: " + e.getMessage();
                } catch (ResponseStream.Hang e) {
                    failure = "hang: " + e.getMessage();
                }
                if (failure == null) {
                    failure = loopAlive(server.port());
                }
                if (failure != null && isKnown(loop, failure + "\n" + c, known)) {
                    failure = null;
                }
                if (failure != null) {
                    failures.add(failure + "\n    " + n.key() + ": " + c);
                    if (failures.size() >= MAX_REPORTED_FAILURES) {
                        break;
                    }
                }
            }
        } finally {
            watchdog.shutdownNow();
        }
        System.out.printf("FuzzTest [%s] %s: %d inputs, first answers %s%n", loop, what, cases, outcomes);
        known.forEach((bug, count) -> System.out.printf("FuzzTest [%s] %s: KNOWN BUG hit by %d input(s): %s%n",
                loop, what, count, bug));
        if (!failures.isEmpty()) {
            throw new AssertionError(failures.size() + " of " + cases + " " + what + " inputs broke an invariant on "
                    + loop + " (seed " + SEED + "):\n" + String.join("\n", failures));
        }
        // Every connection the server had is closed and its workers are done: its threads must all be gone.
        await().pollInSameThread().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> ManagementFactory.getThreadMXBean().getThreadCount() <= baselineThreads);
    }

    private static boolean isKnown(Loop loop, String failure, Map<String, Integer> known) {
        for (KnownBug bug : KNOWN_BUGS) {
            if (bug.matches(loop, failure)) {
                known.merge(bug.description(), 1, Integer::sum);
                return true;
            }
        }
        return false;
    }

    /** Starts and stops one server first, so that threads the JVM and Netty create once are in the baseline. */
    private static void warmUp(Loop loop) {
        try (TestServer server = start(loop); RawHttp c = server.raw()) {
            c.get("/echo/warm-up");
            c.readFinal();
        }
    }

    /**
     * Writes the input as the case's writes; for a complete input waits for the first answer with the connection
     * still open; then half-closes (the client has nothing more to say, so the server must answer or close now),
     * and reads every response until the server closes.
     */
    static ResponseStream.Outcome send(int port, RequestFuzzer.Case c, ScheduledExecutorService watchdog,
                                       int readTimeoutMs) throws ResponseStream.Malformed, ResponseStream.Hang {
        AtomicBoolean expired = new AtomicBoolean();
        try (Socket s = new Socket(RawHttp.LOOPBACK, port)) {
            s.setSoTimeout(readTimeoutMs);
            s.setTcpNoDelay(true);
            ScheduledFuture<?> timer = watchdog.schedule(() -> {
                expired.set(true);
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing is all we want
                }
            }, CASE_DEADLINE_MS * readTimeoutMs / READ_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            try {
                OutputStream out = s.getOutputStream();
                try {
                    int off = 0;
                    for (int w : c.writes()) {
                        out.write(c.bytes(), off, w);
                        out.flush();
                        off += w;
                    }
                } catch (IOException serverClosedFirst) {
                    // The server may reject and close before reading everything: its answer is still readable.
                }
                BufferedInputStream in = new BufferedInputStream(s.getInputStream());
                if (c.complete() && !answersBeforeTheClientCloses(in)) {
                    throw new ResponseStream.Hang("no answer and no close within " + readTimeoutMs
                            + " ms to a complete request (the client kept its side open)", null);
                }
                try {
                    s.shutdownOutput();
                } catch (IOException alreadyClosed) {
                    // the server closed first
                }
                ResponseStream.Outcome o = new ResponseStream(in, c.mayContainHead()).readAll();
                if (expired.get()) {
                    throw new ResponseStream.Hang("case not over after its deadline", null);
                }
                return o;
            } finally {
                timer.cancel(false);
            }
        } catch (IOException e) {
            if (expired.get()) {
                throw new ResponseStream.Hang("case not over after its deadline", e);
            }
            throw new ResponseStream.Malformed("connection failed: " + e);
        }
    }

    /**
     * Whether the server sends a byte or closes while the client still holds its side open. A server that waits
     * here on a request it has whole would wait forever on a real client, which keeps its connection open.
     */
    private static boolean answersBeforeTheClientCloses(BufferedInputStream in) throws IOException {
        in.mark(1);
        try {
            in.read();
            in.reset();
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (java.net.SocketException reset) {
            return true;
        }
    }

    /** A normal GET on a new connection: null when answered 200, else why the loop is not serving. */
    private static String loopAlive(int port) {
        try (RawHttp c = RawHttp.connect(port)) {
            c.send("GET /echo/alive HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            RawHttp.Response r = c.readFinal();
            return r.status() == 200 ? null : "the next normal GET got " + r;
        } catch (RuntimeException | AssertionError e) {
            return "the next normal GET failed: " + e;
        }
    }

    /**
     * Compares what the two loops answered to the same inputs: every mismatch is listed under its mutation family
     * (with a count), then by first mutation and by what each loop answered (status or "closed", and whether it
     * said it closes), with up to two inputs to rerun.
     */
    @AfterAll
    static void compareLoops() {
        Map<String, Answer> netty = ANSWERS.getOrDefault(Loop.NETTY, Map.of());
        Map<String, Answer> undertow = ANSWERS.getOrDefault(Loop.UNDERTOW, Map.of());
        Map<String, Map<String, List<String>>> families = new TreeMap<>();
        int compared = 0;
        for (Map.Entry<String, Answer> e : netty.entrySet()) {
            Answer u = undertow.get(e.getKey());
            if (u == null) {
                continue;
            }
            compared++;
            Answer n = e.getValue();
            if (!n.first().equals(u.first())) {
                families.computeIfAbsent(n.family(), k -> new TreeMap<>())
                        .computeIfAbsent(n.detail() + " -> netty " + n.first() + ", undertow " + u.first(),
                                k -> new ArrayList<>())
                        .add(e.getKey() + ": " + n.input());
            }
        }
        int mismatches = families.values().stream().flatMap(f -> f.values().stream()).mapToInt(List::size).sum();
        StringBuilder report = new StringBuilder();
        report.append(String.format("FuzzTest differential (seed %d): %d inputs answered by both loops, %d differ "
                + "in the first answer%n", SEED, compared, mismatches));
        families.forEach((family, rows) -> {
            report.append(String.format("  family %s: %d%n", family,
                    rows.values().stream().mapToInt(List::size).sum()));
            rows.forEach((row, inputs) -> {
                report.append(String.format("    %5d  %s%n", inputs.size(), row));
                inputs.stream().limit(2).forEach(input -> report.append(String.format("             e.g. %s%n",
                        input.length() > 400 ? input.substring(0, 400) + "..." : input)));
            });
        });
        System.out.print(report);
        ANSWERS.clear();
        if (ASSERT_SAME_STATUS_ON_BOTH_LOOPS && mismatches > 0) {
            throw new AssertionError(report.toString());
        }
    }
}
