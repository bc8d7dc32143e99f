package io.servletbridge.http;

import java.nio.ByteBuffer;

/**
 * A strict RFC 9112 message-framing check over the raw bytes a client sends on one connection: request lines,
 * header fields, then the body as framed by {@code Content-Length} or {@code chunked}, then the next request.
 *
 * <p>Both loops run every inbound byte through one of these before their own (more lenient, and differently
 * lenient) parser sees it, so whatever either parser would have let through, a request reaches the bridge only when
 * this class accepted its framing, and both loops refuse exactly the same inputs with the same status. It only
 * observes: the caller passes bytes on unchanged until {@link #failed()}.
 *
 * <p>It keeps a few counters and one fixed 16-byte scratch array, and never allocates while scanning, because it
 * sees every byte of every request. Not thread-safe: one instance per connection, used on its loop thread.
 *
 * <p>Choices where the RFC leaves room (each one tested on both loops):
 * <ul>
 *   <li>{@code Content-Length} with {@code Transfer-Encoding}, two {@code Content-Length} fields (even equal) or a
 *   list value: 400 (RFC 9112 6.1/6.3 allow it; it is what Jetty's strict mode does).</li>
 *   <li>{@code Transfer-Encoding} whose last coding is not exactly {@code chunked} (names compare
 *   case-insensitively), {@code identity}, {@code chunked} twice or with parameters, or in an HTTP/1.0 request:
 *   400. A valid list ending in {@code chunked} with some other coding before it: 501, because we decode only
 *   {@code chunked} (RFC 9112 6.1).</li>
 *   <li>A request-target holds only what RFC 3986 allows in a URI: a fragment ({@code #}), raw non-ASCII bytes and
 *   any of {@code " < > \ ^ ` { | }} are 400 (Tomcat's default; Netty's parser takes them all).</li>
 *   <li>A ',' in a {@code ;} path parameter before any '=' ({@code /a;b,c}) is 400: Undertow's parser cannot take
 *   it, and both loops must answer alike.</li>
 *   <li>Versions: {@code HTTP/d.d} other than 1.0 and 1.1 get 505; anything else that is not that shape, 400.</li>
 *   <li>{@code CONNECT} gets 501: this server is not a proxy and never turns a connection into a tunnel. So does
 *       any case variant of it ({@code CONNEcT}): methods are case-sensitive (RFC 9110 9.1), but undertow-core
 *       compares this one without case and would close the connection as for a tunnel, and no client means
 *       anything else by it.</li>
 *   <li>Line ends are CRLF only; a bare LF is 400 (RFC 9112 2.2 allows, not requires, accepting it). One empty line
 *   before a request line is ignored (2.2: SHOULD), a second one is 400.</li>
 *   <li>A chunk size of more than 16 hex digits, or beyond {@code Long.MAX_VALUE}, is 400; whitespace after a chunk
 *   size is accepted only before a {@code ;} extension (BWS, RFC 9112 7.1.1).</li>
 * </ul>
 */
public final class RequestStreamValidator {

    // States. Heads first, so that "state < BODY" means "inside a request head (or before one)".
    private static final int LINE_START = 0;
    private static final int LEADING_LF = 1;
    private static final int METHOD = 2;
    private static final int TARGET_START = 3;
    private static final int TARGET = 4;
    private static final int VERSION = 5;
    private static final int LINE_LF = 6;
    private static final int FIELD_START = 7;
    private static final int NAME = 8;
    private static final int VALUE = 9;
    private static final int FIELD_LF = 10;
    private static final int HEAD_END_LF = 11;
    private static final int BODY = 20;
    private static final int LENGTH_DATA = 20;
    private static final int CHUNK_SIZE_START = 21;
    private static final int CHUNK_SIZE = 22;
    private static final int CHUNK_SIZE_BWS = 23;
    private static final int EXT_PRE_NAME = 24;
    private static final int EXT_NAME = 25;
    private static final int EXT_POST_NAME = 26;
    private static final int EXT_PRE_VALUE = 27;
    private static final int EXT_TOKEN_VALUE = 28;
    private static final int EXT_QUOTED = 29;
    private static final int EXT_QUOTED_PAIR = 30;
    private static final int EXT_POST_VALUE = 31;
    private static final int CHUNK_LINE_LF = 32;
    private static final int CHUNK_DATA = 33;
    private static final int CHUNK_DATA_CR = 34;
    private static final int CHUNK_DATA_LF = 35;
    private static final int TRAILER_START = 36;
    private static final int TRAILER_NAME = 37;
    private static final int TRAILER_VALUE = 38;
    private static final int TRAILER_LF = 39;
    private static final int TRAILER_END_LF = 40;
    private static final int FAILED = 99;

    /** Character classes, indexed by byte value. */
    private static final boolean[] TCHAR = new boolean[256];
    private static final boolean[] TARGET_CHAR = new boolean[256];
    private static final boolean[] VALUE_CHAR = new boolean[256];
    private static final int[] HEX = new int[256];

    static {
        for (int c = 0; c < 256; c++) {
            TCHAR[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || (c < 128 && "!#$%&'*+-.^_`|~".indexOf(c) >= 0);
            // What RFC 3986 lets into a URI (unreserved, pct-encoded's '%', sub-delims, ':', '@', '/', '?', and
            // '[' ']' of an IP literal), nothing else: no fragment '#' (RFC 9112 3.2), no raw non-ASCII, none of
            // " < > \\ ^ ` { | } (Tomcat refuses these too by default). Undertow's parser refuses some of them and
            // Netty's none, so both loops answer 400 here alike.
            TARGET_CHAR[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || (c < 128 && "-._~%!$&'()*+,;=:@/?[]".indexOf(c) >= 0);
            // field-vchar, SP, HTAB (RFC 9110 5.5); every other control is refused, CR, LF and NUL among them.
            VALUE_CHAR[c] = (c > 0x20 && c < 0x7f) || c >= 0x80 || c == ' ' || c == '\t';
            HEX[c] = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        }
    }

    private static final byte[] CONTENT_LENGTH = ascii("content-length");
    private static final byte[] TRANSFER_ENCODING = ascii("transfer-encoding");
    private static final byte[] HTTP_SLASH = ascii("HTTP/");
    private static final byte[] CONNECT = ascii("CONNECT");
    private static final byte[] OPTIONS = ascii("OPTIONS");

    // Kinds of transfer coding in a Transfer-Encoding list.
    private static final int CODING_CHUNKED = 1;
    private static final int CODING_KNOWN = 2;
    private static final int CODING_IDENTITY = 3;
    private static final int CODING_OTHER = 4;
    private static final int CODING_WITH_PARAMS = 5;

    private final int maxRequestLine;
    private final int maxHeaderBytes;
    private final int maxHeaderCount;
    /** The coding name being read, lower-cased; longer names are not among the ones we know anyway. */
    private final byte[] coding = new byte[16];

    private int state = LINE_START;
    private int status;
    private String reason;
    private boolean failedInBody;
    private long headsCompleted;
    /** Bytes of the current head seen so far, from its first byte (a leading empty line included). */
    private int headBytes;
    private int emptyLines;
    private boolean stopAtEmptyLines;
    private boolean atEmptyLine;

    private int lineBytes;
    private int headerBytes;
    private int fieldCount;
    private int methodLength;
    private boolean maybeConnect;
    private boolean maybeOptions;
    private boolean asteriskTarget;
    private boolean inQuery;
    private boolean inPathParameter;
    private boolean pathParameterNamed;
    private int versionIndex;
    private int major;
    private int minor;

    // The field being read: which framing field it is, and that field's value parser.
    private int nameLength;
    private boolean maybeContentLength;
    private boolean maybeTransferEncoding;
    private int field;
    private static final int FIELD_OTHER = 0;
    private static final int FIELD_CONTENT_LENGTH = 1;
    private static final int FIELD_TRANSFER_ENCODING = 2;
    /** Content-Length value: 0 leading OWS, 1 digits, 2 trailing OWS. */
    private int lengthPhase;
    private long contentLength;
    private int contentLengthFields;
    private boolean badContentLength;
    /** Transfer-Encoding value: 0 before a coding, 1 in its name, 2 after the name, 3 in parameters. */
    private int codingPhase;
    private int codingLength;
    private boolean codingHasParams;
    private boolean transferEncoding;
    private int codings;
    private int chunkedCount;
    private int lastCoding;
    private boolean unsupportedCoding;
    private boolean badTransferEncoding;

    private long remaining;
    private int hexDigits;

    /**
     * @param maxRequestLine longest request line (bytes, without CRLF); longer gets 414
     * @param maxHeaderBytes largest header block (bytes, line ends included); larger gets 431
     * @param maxHeaderCount most header fields; more gets 431
     */
    public RequestStreamValidator(int maxRequestLine, int maxHeaderBytes, int maxHeaderCount) {
        this.maxRequestLine = maxRequestLine;
        this.maxHeaderBytes = maxHeaderBytes;
        this.maxHeaderCount = maxHeaderCount;
    }

    /**
     * Scans {@code buf[from, to)} (absolute indexes; the buffer's position and limit are not used or changed).
     *
     * @return {@code to} when every byte is acceptable so far, else the index of the first byte that is not, after
     * which {@link #failed()} is true and further calls return {@code from}
     */
    public int scan(ByteBuffer buf, int from, int to) {
        atEmptyLine = false;
        int i = from;
        while (i < to) {
            if (atEmptyLine) {
                return i;
            }
            int s = state;
            if (s == FAILED) {
                return i;
            }
            if (s == LENGTH_DATA || s == CHUNK_DATA) {
                // Body bytes are not looked at, only counted: the fast path for uploads.
                long n = Math.min(remaining, to - i);
                remaining -= n;
                i += (int) n;
                if (remaining == 0) {
                    state = s == LENGTH_DATA ? LINE_START : CHUNK_DATA_CR;
                }
                continue;
            }
            if (s == VALUE && field == FIELD_OTHER) {
                // Most head bytes are ordinary field values: take a run of them in a tight loop (the state
                // machine's step is too large to inline), leaving the byte that ends the run to step, and never
                // passing the header budget, so the 431 is still decided there.
                int end = (int) Math.min(to, i + (long) (maxHeaderBytes - headerBytes));
                int j = i;
                while (j < end) {
                    int c = buf.get(j) & 0xff;
                    if (c == '\r' || !VALUE_CHAR[c]) {
                        break;
                    }
                    j++;
                }
                int run = j - i;
                if (run > 0) {
                    headBytes += run;
                    headerBytes += run;
                    i = j;
                    continue;
                }
            }
            if (!step(buf.get(i) & 0xff)) {
                return i;
            }
            i++;
        }
        return to;
    }

    /**
     * Makes {@link #scan} return right after an ignored empty line before a request line, so that the caller can
     * remove it (for a parser that would not ignore it); {@link #atEmptyLine()} then tells so.
     */
    public void stopAtEmptyLines() {
        stopAtEmptyLines = true;
    }

    /** Whether the last scan stopped just after an empty line (CRLF) that the caller is to remove. */
    public boolean atEmptyLine() {
        return atEmptyLine;
    }

    /** Whether a violation was found; the connection must not carry another request. */
    public boolean failed() {
        return state == FAILED;
    }

    /** The status to answer a violation with (400, 414, 431, 501, 505), or 0 while nothing failed. */
    public int status() {
        return status;
    }

    /** What was wrong, for logs, or null. */
    public String reason() {
        return reason;
    }

    /**
     * Whether the violation is inside a request body (chunk framing or trailers), that is after a head that was
     * accepted and may already be in the application's hands.
     */
    public boolean failedInBody() {
        return failedInBody;
    }

    /** Whether the stream is inside a request head, so that head cannot be handed on yet. */
    public boolean inHead() {
        return state < BODY && headBytes > 0;
    }

    /**
     * Bytes of the current request head scanned so far: while {@link #inHead()}, or once a violation in a head was
     * found (then not counting the offending byte). The head began that many bytes before the scan position.
     */
    public int headBytes() {
        return headBytes;
    }

    /** How many request heads were accepted so far on this connection. */
    public long headsCompleted() {
        return headsCompleted;
    }

    // ---- the state machine ----

    private boolean step(int c) {
        switch (state) {
            case LINE_START:
                return lineStart(c);
            case LEADING_LF:
                headBytes++;
                if (c != '\n') {
                    return fail(400, "bare CR before the request line");
                }
                emptyLines++;
                state = LINE_START;
                if (stopAtEmptyLines) {
                    // The caller removes these two bytes, so they are not part of the head it may hold back.
                    headBytes -= 2;
                    atEmptyLine = true;
                }
                return true;
            case METHOD:
                return method(c);
            case TARGET_START:
            case TARGET:
                return target(c);
            case VERSION:
                return version(c);
            case LINE_LF:
                headBytes++;
                if (c != '\n') {
                    return fail(400, "CR without LF in the request line");
                }
                return endOfRequestLine();
            case FIELD_START:
            case TRAILER_START:
                return fieldStart(c);
            case NAME:
            case TRAILER_NAME:
                return name(c);
            case VALUE:
            case TRAILER_VALUE:
                return value(c);
            case FIELD_LF:
            case TRAILER_LF:
                if (!countHeaderByte(c)) {
                    return false;
                }
                if (c != '\n') {
                    return fail(400, "CR without LF in a header field");
                }
                return endOfField();
            case HEAD_END_LF:
                headBytes++;
                if (c != '\n') {
                    return fail(400, "CR without LF at the end of the header block");
                }
                return endOfHead();
            case TRAILER_END_LF:
                if (c != '\n') {
                    return fail(400, "CR without LF at the end of the trailer section");
                }
                state = LINE_START;
                return true;
            default:
                return chunkFraming(c);
        }
    }

    private boolean lineStart(int c) {
        headBytes++;
        if (c == '\r') {
            if (emptyLines > 0) {
                return fail(400, "more than one empty line before the request line");
            }
            state = LEADING_LF;
            return true;
        }
        if (!TCHAR[c]) {
            return fail(400, c == '\n' ? "bare LF before the request line" : "invalid character in the method");
        }
        lineBytes = 1;
        headerBytes = 0;
        fieldCount = 0;
        methodLength = 1;
        maybeConnect = c == 'C' || c == 'c';
        maybeOptions = c == 'O';
        asteriskTarget = false;
        versionIndex = 0;
        contentLengthFields = 0;
        badContentLength = false;
        contentLength = 0;
        transferEncoding = false;
        codings = 0;
        chunkedCount = 0;
        lastCoding = 0;
        unsupportedCoding = false;
        badTransferEncoding = false;
        state = METHOD;
        return true;
    }

    private boolean countLineByte() {
        headBytes++;
        if (++lineBytes > maxRequestLine) {
            return fail(414, "request line longer than " + maxRequestLine + " bytes");
        }
        return true;
    }

    private boolean method(int c) {
        if (!countLineByte()) {
            return false;
        }
        if (c == ' ') {
            state = TARGET_START;
            return true;
        }
        if (!TCHAR[c]) {
            return fail(400, "invalid character in the method");
        }
        maybeConnect &= methodLength < CONNECT.length && CONNECT[methodLength] == (c & ~0x20);
        maybeOptions &= methodLength < OPTIONS.length && OPTIONS[methodLength] == c;
        methodLength++;
        return true;
    }

    private boolean target(int c) {
        if (!countLineByte()) {
            return false;
        }
        if (state == TARGET_START) {
            // origin-form, asterisk-form, or absolute-/authority-form, which begin with a scheme or host letter.
            boolean alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            if (c != '/' && c != '*' && !alpha && !(maybeConnect && methodLength == CONNECT.length && TCHAR[c])) {
                return fail(400, c == ' ' ? "empty request-target" : "invalid request-target");
            }
            asteriskTarget = c == '*';
            inQuery = false;
            inPathParameter = false;
            state = TARGET;
            return true;
        }
        if (c == ' ') {
            state = VERSION;
            return true;
        }
        if (!TARGET_CHAR[c]) {
            return fail(400, "invalid character in the request-target");
        }
        asteriskTarget = false;
        return pathParameterChar(c);
    }

    /**
     * Tracks ';' path parameters in the path part of the target. A ',' after a ';' and before any '=' in the same
     * segment ({@code /a;b,c}) is valid RFC 3986, but Undertow's parser refuses it (unless a JVM-wide system
     * property says otherwise) while Netty's takes it; refusing it here makes both loops answer 400 alike.
     */
    private boolean pathParameterChar(int c) {
        if (inQuery) {
            return true;
        }
        switch (c) {
            case '?':
                inQuery = true;
                break;
            case '/':
                inPathParameter = false;
                break;
            case ';':
                inPathParameter = true;
                pathParameterNamed = false;
                break;
            case '=':
                pathParameterNamed = true;
                break;
            case ',':
                if (inPathParameter && !pathParameterNamed) {
                    return fail(400, "a ',' in a path parameter without a name");
                }
                break;
            default:
                break;
        }
        return true;
    }

    private boolean version(int c) {
        if (c == '\r' && versionIndex == 8) {
            headBytes++;
            state = LINE_LF;
            return true;
        }
        if (!countLineByte()) {
            return false;
        }
        int at = versionIndex++;
        if (at < 5) {
            return c == HTTP_SLASH[at] || fail(400, "invalid HTTP version");
        }
        if (at == 6) {
            return c == '.' || fail(400, "invalid HTTP version");
        }
        if (at == 5 || at == 7) {
            if (c < '0' || c > '9') {
                return fail(400, "invalid HTTP version");
            }
            if (at == 5) {
                major = c - '0';
            } else {
                minor = c - '0';
            }
            return true;
        }
        return fail(400, "invalid HTTP version");
    }

    private boolean endOfRequestLine() {
        if (major != 1 || minor > 1) {
            return fail(505, "HTTP version not supported");
        }
        boolean connect = maybeConnect && methodLength == CONNECT.length;
        if (connect) {
            return fail(501, "CONNECT is not supported");
        }
        if (asteriskTarget && !(maybeOptions && methodLength == OPTIONS.length)) {
            return fail(400, "the * request-target is only for OPTIONS");
        }
        state = FIELD_START;
        return true;
    }

    private boolean trailer() {
        return state >= BODY;
    }

    private boolean countHeaderByte(int c) {
        if (!trailer()) {
            headBytes++;
        }
        if (++headerBytes > maxHeaderBytes) {
            return trailer() ? fail(400, "trailer section too large")
                    : fail(431, "header block larger than " + maxHeaderBytes + " bytes");
        }
        return true;
    }

    private boolean fieldStart(int c) {
        if (c == '\r') {
            if (trailer()) {
                state = TRAILER_END_LF;
            } else {
                headBytes++;
                state = HEAD_END_LF;
            }
            return true;
        }
        if (!countHeaderByte(c)) {
            return false;
        }
        if (c == ' ' || c == '\t') {
            return fail(400, "obsolete line folding");
        }
        if (!TCHAR[c]) {
            return fail(400, c == ':' ? "empty header field name" : "invalid character in a header field name");
        }
        if (++fieldCount > maxHeaderCount) {
            return trailer() ? fail(400, "too many trailer fields")
                    : fail(431, "more than " + maxHeaderCount + " header fields");
        }
        int lower = c | 0x20;
        nameLength = 1;
        maybeContentLength = !trailer() && lower == 'c';
        maybeTransferEncoding = !trailer() && lower == 't';
        state = trailer() ? TRAILER_NAME : NAME;
        return true;
    }

    private boolean name(int c) {
        if (!countHeaderByte(c)) {
            return false;
        }
        if (c == ':') {
            field = maybeContentLength && nameLength == CONTENT_LENGTH.length ? FIELD_CONTENT_LENGTH
                    : maybeTransferEncoding && nameLength == TRANSFER_ENCODING.length ? FIELD_TRANSFER_ENCODING
                    : FIELD_OTHER;
            if (field == FIELD_CONTENT_LENGTH) {
                contentLengthFields++;
                lengthPhase = 0;
                contentLength = 0;
            } else if (field == FIELD_TRANSFER_ENCODING) {
                transferEncoding = true;
                codingPhase = 0;
            }
            state = trailer() ? TRAILER_VALUE : VALUE;
            return true;
        }
        if (!TCHAR[c]) {
            return fail(400, c == ' ' || c == '\t' ? "whitespace between a header field name and its colon"
                    : c == '\r' || c == '\n' ? "header field without a colon" : "invalid character in a header field name");
        }
        int lower = c | 0x20;
        maybeContentLength &= nameLength < CONTENT_LENGTH.length && CONTENT_LENGTH[nameLength] == lower;
        maybeTransferEncoding &= nameLength < TRANSFER_ENCODING.length && TRANSFER_ENCODING[nameLength] == lower;
        nameLength++;
        return true;
    }

    private boolean value(int c) {
        if (!countHeaderByte(c)) {
            return false;
        }
        if (c == '\r') {
            state = trailer() ? TRAILER_LF : FIELD_LF;
            return true;
        }
        if (!VALUE_CHAR[c]) {
            return fail(400, "invalid character in a header field value");
        }
        if (!trailer()) {
            if (field == FIELD_CONTENT_LENGTH) {
                lengthChar(c);
            } else if (field == FIELD_TRANSFER_ENCODING) {
                codingChar(c);
            }
        }
        return true;
    }

    private void lengthChar(int c) {
        boolean ows = c == ' ' || c == '\t';
        if (c >= '0' && c <= '9' && lengthPhase < 2) {
            lengthPhase = 1;
            if (contentLength > (Long.MAX_VALUE - (c - '0')) / 10) {
                badContentLength = true;
            } else {
                contentLength = contentLength * 10 + (c - '0');
            }
        } else if (ows) {
            if (lengthPhase == 1) {
                lengthPhase = 2;
            }
        } else {
            badContentLength = true;
        }
    }

    private void codingChar(int c) {
        boolean ows = c == ' ' || c == '\t';
        switch (codingPhase) {
            case 0:
                if (ows) {
                    return;
                }
                if (c == ',') {
                    // An empty list element: legal list syntax, but nothing a client needs; refuse the oddity.
                    badTransferEncoding = true;
                    return;
                }
                if (!TCHAR[c]) {
                    badTransferEncoding = true;
                    return;
                }
                codingPhase = 1;
                codingLength = 0;
                codingHasParams = false;
                addCodingChar(c);
                return;
            case 1:
                if (TCHAR[c]) {
                    addCodingChar(c);
                    return;
                }
                if (ows) {
                    codingPhase = 2;
                    return;
                }
                afterCodingName(c);
                return;
            case 2:
                if (ows) {
                    return;
                }
                afterCodingName(c);
                return;
            default:
                // Parameters: their exact syntax does not matter, a coding with parameters is refused either way.
                if (c == ',') {
                    endCoding();
                    codingPhase = 0;
                }
        }
    }

    private void afterCodingName(int c) {
        if (c == ',') {
            endCoding();
            codingPhase = 0;
        } else if (c == ';') {
            codingHasParams = true;
            codingPhase = 3;
        } else {
            badTransferEncoding = true;
            codingPhase = 3;
        }
    }

    private void addCodingChar(int c) {
        if (codingLength < coding.length) {
            coding[codingLength] = (byte) (c | 0x20);
        }
        codingLength++;
    }

    /** Ends one element of the Transfer-Encoding list (at a comma or at the end of the field). */
    private void endCoding() {
        int kind;
        if (codingHasParams) {
            kind = CODING_WITH_PARAMS;
        } else if (codingIs("chunked")) {
            kind = CODING_CHUNKED;
            chunkedCount++;
        } else if (codingIs("identity")) {
            kind = CODING_IDENTITY;
        } else if (codingIs("gzip") || codingIs("x-gzip") || codingIs("deflate") || codingIs("compress")
                || codingIs("x-compress")) {
            kind = CODING_KNOWN;
        } else {
            kind = CODING_OTHER;
        }
        if (codings > 0 && lastCoding != CODING_CHUNKED && lastCoding != CODING_IDENTITY) {
            // Some coding applied before another: we would have to decode it, and we decode only chunked.
            unsupportedCoding = true;
        }
        if (kind == CODING_IDENTITY) {
            badTransferEncoding = true;
        }
        codings++;
        lastCoding = kind;
    }

    private boolean codingIs(String name) {
        if (codingLength != name.length()) {
            return false;
        }
        for (int i = 0; i < codingLength; i++) {
            if (coding[i] != name.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private boolean endOfField() {
        if (trailer()) {
            state = TRAILER_START;
            return true;
        }
        if (field == FIELD_CONTENT_LENGTH && lengthPhase == 0) {
            badContentLength = true;
        } else if (field == FIELD_TRANSFER_ENCODING) {
            if (codingPhase == 0) {
                // Empty value, or a trailing comma.
                badTransferEncoding = true;
            } else {
                endCoding();
            }
        }
        field = FIELD_OTHER;
        state = FIELD_START;
        return true;
    }

    private boolean endOfHead() {
        if (contentLengthFields > 1) {
            return fail(400, "more than one Content-Length");
        }
        if (badContentLength) {
            return fail(400, "invalid Content-Length");
        }
        if (transferEncoding) {
            if (contentLengthFields > 0) {
                return fail(400, "both Content-Length and Transfer-Encoding");
            }
            if (minor == 0) {
                return fail(400, "Transfer-Encoding in an HTTP/1.0 request");
            }
            if (badTransferEncoding || lastCoding != CODING_CHUNKED || chunkedCount > 1) {
                return fail(400, "invalid Transfer-Encoding: the body length cannot be determined");
            }
            if (unsupportedCoding) {
                return fail(501, "unsupported transfer coding");
            }
        }
        headsCompleted++;
        headBytes = 0;
        emptyLines = 0;
        if (transferEncoding) {
            state = CHUNK_SIZE_START;
            lineBytes = 0;
        } else if (contentLength > 0) {
            remaining = contentLength;
            state = LENGTH_DATA;
        } else {
            state = LINE_START;
        }
        return true;
    }

    private boolean chunkFraming(int c) {
        if (state != CHUNK_DATA_CR && state != CHUNK_DATA_LF && ++lineBytes > maxRequestLine) {
            return fail(400, "chunk size line too long");
        }
        boolean ows = c == ' ' || c == '\t';
        switch (state) {
            case CHUNK_SIZE_START:
                if (HEX[c] < 0) {
                    return fail(400, "invalid chunk size");
                }
                remaining = HEX[c];
                hexDigits = 1;
                state = CHUNK_SIZE;
                return true;
            case CHUNK_SIZE:
                if (HEX[c] >= 0) {
                    if (++hexDigits > 16 || remaining > (Long.MAX_VALUE >> 4)) {
                        return fail(400, "chunk size too large");
                    }
                    remaining = (remaining << 4) | HEX[c];
                    return true;
                }
                return afterChunkSize(c, ows);
            case CHUNK_SIZE_BWS:
                if (ows) {
                    return true;
                }
                return c == ';' ? to(EXT_PRE_NAME) : fail(400, "invalid chunk size");
            case EXT_PRE_NAME:
                if (ows) {
                    return true;
                }
                return TCHAR[c] ? to(EXT_NAME) : fail(400, "invalid chunk extension");
            case EXT_NAME:
                if (TCHAR[c]) {
                    return true;
                }
                return ows ? to(EXT_POST_NAME) : extensionSeparator(c);
            case EXT_POST_NAME:
                if (ows) {
                    return true;
                }
                return extensionSeparator(c);
            case EXT_PRE_VALUE:
                if (ows) {
                    return true;
                }
                if (c == '"') {
                    return to(EXT_QUOTED);
                }
                return TCHAR[c] ? to(EXT_TOKEN_VALUE) : fail(400, "invalid chunk extension");
            case EXT_TOKEN_VALUE:
                if (TCHAR[c]) {
                    return true;
                }
                return ows ? to(EXT_POST_VALUE) : extensionEnd(c);
            case EXT_QUOTED:
                if (c == '"') {
                    return to(EXT_POST_VALUE);
                }
                if (c == '\\') {
                    return to(EXT_QUOTED_PAIR);
                }
                return VALUE_CHAR[c] || fail(400, "invalid chunk extension");
            case EXT_QUOTED_PAIR:
                return VALUE_CHAR[c] ? to(EXT_QUOTED) : fail(400, "invalid chunk extension");
            case EXT_POST_VALUE:
                if (ows) {
                    return true;
                }
                return extensionEnd(c);
            case CHUNK_LINE_LF:
                if (c != '\n') {
                    return fail(400, "CR without LF after a chunk size");
                }
                if (remaining == 0) {
                    headerBytes = 0;
                    fieldCount = 0;
                    state = TRAILER_START;
                } else {
                    state = CHUNK_DATA;
                }
                return true;
            case CHUNK_DATA_CR:
                return c == '\r' ? to(CHUNK_DATA_LF) : fail(400, "chunk data longer than its declared size");
            case CHUNK_DATA_LF:
                if (c != '\n') {
                    return fail(400, "CR without LF after chunk data");
                }
                lineBytes = 0;
                state = CHUNK_SIZE_START;
                return true;
            default:
                throw new IllegalStateException("state " + state);
        }
    }

    private boolean afterChunkSize(int c, boolean ows) {
        if (c == '\r') {
            return to(CHUNK_LINE_LF);
        }
        if (c == ';') {
            return to(EXT_PRE_NAME);
        }
        if (ows) {
            return to(CHUNK_SIZE_BWS);
        }
        return fail(400, "invalid chunk size");
    }

    private boolean extensionSeparator(int c) {
        if (c == '=') {
            return to(EXT_PRE_VALUE);
        }
        return extensionEnd(c);
    }

    private boolean extensionEnd(int c) {
        if (c == ';') {
            return to(EXT_PRE_NAME);
        }
        if (c == '\r') {
            return to(CHUNK_LINE_LF);
        }
        return fail(400, "invalid chunk extension");
    }

    private boolean to(int next) {
        state = next;
        return true;
    }

    private boolean fail(int code, String why) {
        failedInBody = state >= BODY;
        status = code;
        reason = why;
        state = FAILED;
        if (!failedInBody) {
            // headBytes counted the offending byte; the head began before it.
            headBytes--;
        }
        return false;
    }

    private static byte[] ascii(String s) {
        byte[] b = new byte[s.length()];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) s.charAt(i);
        }
        return b;
    }
}
