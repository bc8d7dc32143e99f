package io.servletbridge.tests;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hand-picked inputs {@link FuzzTest} runs on every build on both loops, whatever the seed: request smuggling
 * shapes, framing conflicts, parser edge cases, and every input the generator found a bug with (named
 * {@code regression-...}). Text is ISO-8859-1, one char per byte.
 */
final class FuzzCorpus {
    /**
     * Inputs after which a server may rightly wait for more bytes (a cut body, a line without its end); every other
     * input is whole and must be answered or closed while the client still holds its connection open.
     */
    static final java.util.Set<String> INCOMPLETE = java.util.Set.of("chunk-missing-last", "body-shorter-than-cl",
            "form-body-shorter-than-cl", "expect-continue-then-garbage", "tls-client-hello", "bare-cr-line-ends",
            "empty", "regression-head-cut");

    private FuzzCorpus() {
    }

    static Map<String, String> inputs() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("valid-get", "GET /echo/a?x=1 HTTP/1.1\r\nHost: h\r\n\r\n");
        m.put("valid-form", "POST /form HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: 7\r\n\r\na=1&b=2");
        m.put("cl-cl-conflict", "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\n"
                + "abcde");
        m.put("cl-list", "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 3\r\n\r\nabc");
        m.put("cl-plus", "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: +3\r\n\r\nabc");
        m.put("cl-negative", "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n");
        m.put("cl-overflow", "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n");
        m.put("cl-te-smuggle", "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n");
        m.put("te-cl-smuggle", "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
                + "Content-Length: 40\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        m.put("te-not-chunked-last", "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"
                + "0\r\n\r\n");
        m.put("te-unknown", "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\nabc");
        m.put("te-xchunked", "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n");
        m.put("te-http10", "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
        m.put("chunk-size-bad-hex", "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "zz\r\nabc\r\n0\r\n\r\n");
        m.put("chunk-size-overflow", "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "ffffffffffffffffff\r\nabc\r\n0\r\n\r\n");
        m.put("chunk-size-bad-hex-alone", "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "zz\r\n");
        m.put("chunk-size-negative", "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "-3\r\nabc\r\n0\r\n\r\n");
        m.put("chunk-data-too-long", "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3\r\nabcdef\r\n0\r\n\r\n");
        m.put("chunk-extension", "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3;name=\"v a\"\r\nabc\r\n0\r\n\r\n");
        m.put("chunk-trailer", "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3\r\nabc\r\n0\r\nX-Trailer: 1\r\n\r\n");
        m.put("chunk-lf-only", "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3\nabc\n0\n\n");
        m.put("chunk-missing-last", "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3\r\nabc\r\n");
        m.put("body-shorter-than-cl", "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\nabc");
        m.put("form-body-shorter-than-cl", "POST /form HTTP/1.1\r\nHost: h\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\na=1");
        m.put("form-bad-percent", "POST /form HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded"
                + "\r\nContent-Length: 6\r\n\r\na=%zz&");
        m.put("form-too-many-params", "GET /form?" + "p=1&".repeat(1001) + " HTTP/1.1\r\nHost: h\r\n\r\n");
        m.put("obs-fold", "GET /echo HTTP/1.1\r\nHost: h\r\nX-A: one\r\n two\r\n\r\n");
        m.put("header-without-colon", "GET /echo HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n");
        m.put("header-space-before-colon", "GET /echo HTTP/1.1\r\nHost : h\r\n\r\n");
        m.put("header-nul-in-value", "GET /echo HTTP/1.1\r\nHost: h\r\nX-A: a\0b\r\n\r\n");
        m.put("header-bare-cr-in-value", "GET /echo HTTP/1.1\r\nHost: h\r\nX-A: a\rb\r\n\r\n");
        m.put("header-ctl-in-name", "GET /echo HTTP/1.1\r\nHost: h\r\nX\u0001A: a\r\n\r\n");
        m.put("missing-host-http11", "GET /echo HTTP/1.1\r\n\r\n");
        m.put("two-hosts", "GET /echo HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
        m.put("header-block-too-big", "GET /echo HTTP/1.1\r\nHost: h\r\nX-A: " + "v".repeat(70_000) + "\r\n\r\n");
        m.put("request-line-too-long", "GET /echo/" + "a".repeat(70_000) + " HTTP/1.1\r\nHost: h\r\n\r\n");
        m.put("too-many-headers", "GET /echo HTTP/1.1\r\nHost: h\r\n" + "X-N: 1\r\n".repeat(1500) + "\r\n");
        m.put("version-2", "GET /echo HTTP/2.0\r\nHost: h\r\n\r\n");
        m.put("version-garbage", "GET /echo HTTP/1.1x\r\nHost: h\r\n\r\n");
        m.put("http09", "GET /echo\r\n\r\n");
        m.put("method-lowercase", "get /echo HTTP/1.1\r\nHost: h\r\n\r\n");
        m.put("method-with-ctl", "G\u0001T /echo HTTP/1.1\r\nHost: h\r\n\r\n");
        m.put("connect", "CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n");
        m.put("asterisk-options", "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n");
        m.put("absolute-form", "GET http://other.example/echo HTTP/1.1\r\nHost: h\r\n\r\n");
        m.put("dot-segments-above-root", "GET /../../etc/passwd HTTP/1.1\r\nHost: h\r\n\r\n");
        m.put("encoded-dot-segments", "GET /echo/%2e%2e/%2e%2e/x HTTP/1.1\r\nHost: h\r\n\r\n");
        m.put("encoded-slash", "GET /echo/a%2Fb HTTP/1.1\r\nHost: h\r\n\r\n");
        m.put("encoded-nul", "GET /echo/a%00b HTTP/1.1\r\nHost: h\r\n\r\n");
        m.put("bad-percent-in-path", "GET /echo/%zz HTTP/1.1\r\nHost: h\r\n\r\n");
        m.put("invalid-utf8-in-path", "GET /echo/%c3%28 HTTP/1.1\r\nHost: h\r\n\r\n");
        m.put("raw-space-in-target", "GET /echo/a b HTTP/1.1\r\nHost: h\r\n\r\n");
        m.put("raw-non-ascii-in-target", "GET /echo/caf\u00e9 HTTP/1.1\r\nHost: h\r\n\r\n");
        m.put("leading-crlf", "\r\n\r\nGET /echo HTTP/1.1\r\nHost: h\r\n\r\n");
        m.put("lf-only-head", "GET /echo HTTP/1.1\nHost: h\n\n");
        m.put("bare-cr-line-ends", "GET /echo HTTP/1.1\rHost: h\r\r");
        m.put("tls-client-hello", "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003");
        m.put("h2-preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        m.put("expect-continue-then-garbage", "POST /echo HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
                + "Content-Length: 5\r\n\r\n");
        m.put("pipelined-valid-then-garbage", "GET /echo/1 HTTP/1.1\r\nHost: h\r\n\r\n\u0000\u0001garbage\r\n\r\n");
        m.put("pipelined-three", "GET /echo/1 HTTP/1.1\r\nHost: h\r\n\r\nPOST /form HTTP/1.1\r\nHost: h\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n\r\na=1"
                + "GET /echo/3 HTTP/1.1\r\nHost: h\r\n\r\n");
        m.put("empty", "");
        // Found by the generator (FuzzTest.KNOWN_BUGS says which loop still fails them).
        m.put("regression-empty-header-name-chunked", "POST /form HTTP/1.1\r\nHost: h\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n:\r\n"
                + "Accept: */*\r\n\r\n0\r\n\r\n");
        m.put("form-chunked-empty", "POST /form HTTP/1.1\r\nHost: h\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n"
                + "Accept: */*\r\n\r\n0\r\n\r\n");
        m.put("empty-header-name-form-cl", "POST /form HTTP/1.1\r\nHost: h\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\n:\r\nContent-Length: 3\r\n\r\na=1");
        m.put("empty-header-name-chunked-echo", "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
                + ":\r\n\r\n0\r\n\r\n");
        m.put("empty-header-name-get", "GET /echo HTTP/1.1\r\nHost: h\r\n:\r\n\r\n");
        m.put("empty-header-name-cl", "POST /echo HTTP/1.1\r\nHost: h\r\n:\r\nContent-Length: 3\r\n\r\nabc");
        m.put("empty-header-name-before-te", "POST /echo HTTP/1.1\r\nHost: h\r\n:\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\n");
        m.put("regression-version-0.9", "GET /echo HTTP/0.9\r\nHost: h\r\n\r\n");
        // Inputs the two loops answered differently before they were made to agree (issue 4).
        m.put("regression-host-empty", "GET /echo HTTP/1.1\r\nHost:\r\n\r\n");
        m.put("regression-host-space", "GET /echo HTTP/1.1\r\nHost: a b\r\n\r\n");
        m.put("regression-host-userinfo", "GET /echo HTTP/1.1\r\nHost: user@x\r\n\r\n");
        m.put("regression-target-fragment", "GET /echo#frag HTTP/1.1\r\nHost: h\r\n\r\n");
        m.put("regression-target-backslash", "GET /echo/a\\b HTTP/1.1\r\nHost: h\r\n\r\n");
        m.put("regression-connection-close-keep-alive", "GET /echo HTTP/1.1\r\nHost: h\r\n"
                + "Connection: close, keep-alive\r\n\r\n");
        m.put("regression-http10-two-connection-lines", "GET /echo HTTP/1.0\r\nConnection: keep8\r\n"
                + "Connection: keep-alive\r\n\r\n");
        m.put("regression-expect-continue-empty-chunked-get", "GET /form HTTP/1.1\r\nHost: h\r\n"
                + "Expect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        m.put("regression-second-expect-line-body-read", "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
                + "Expect: 100-co: 5\r\nExpect: 100-continue\r\n\r\nhello");
        m.put("regression-path-parameter-comma", "GET /c;,6ho/a.b HTTP/1.1\r\nHost: h\r\n\r\n");
        m.put("path-parameters-named", "GET /echo/a,b;c=1,2;d/e?x;y,z HTTP/1.1\r\nHost: h\r\n\r\n");
        m.put("regression-huge-cl-unread", "GET /form?a=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 1099511627776"
                + "\r\n\r\n");
        m.put("regression-head-cut", "GET /echo HTTP/1.1\r\nHost: 127.");
        m.put("trace", "TRACE /echo HTTP/1.1\r\nHost: h\r\n\r\n");
        return m;
    }
}
