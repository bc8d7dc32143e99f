package io.servletbridge.servlet;

import io.servletbridge.http.Cookies;
import io.servletbridge.http.HttpDate;
import io.servletbridge.spi.HttpFields;
import io.servletbridge.spi.ResponseHead;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The servlet's view of the response. Status and headers stay here until the body stream commits them; after
 * that, header changes are ignored as the spec says.
 */
final class BridgeResponse implements HttpServletResponse {
    private enum Output { NONE, STREAM, WRITER }

    private final ServletExchange exchange;
    private final ResponseBodyStream stream;
    private final HttpFields headers = new HttpFields();
    private int status = SC_OK;
    private String mimeType;
    private String charset;
    private boolean charsetExplicit;
    private Locale locale;
    private long declaredLength = -1;
    private Output output = Output.NONE;
    private PrintWriter writer;
    private ResponseWriter responseWriter;
    /** Set by sendError/sendRedirect: the application's later output is dropped. */
    private boolean suppressed;
    private String errorMessage;
    private boolean errorPending;

    BridgeResponse(ServletExchange exchange, int bufferSize) {
        this.exchange = exchange;
        this.stream = new ResponseBodyStream(exchange.spi(), this, bufferSize);
    }

    void checkActive() {
        exchange.checkActive();
    }

    ServletExchange exchange() {
        return exchange;
    }

    ResponseBodyStream stream() {
        return stream;
    }

    long declaredLength() {
        return declaredLength;
    }

    boolean outputSuppressed() {
        return suppressed;
    }

    boolean errorPending() {
        return errorPending;
    }

    String errorMessage() {
        return errorMessage;
    }

    /** Builds the head that goes on the wire; the body stream calls this exactly once, when it commits. */
    ResponseHead commitHead(long contentLength) {
        HttpFields out = new HttpFields(headers.size() + 3);
        for (int i = 0; i < headers.size(); i++) {
            out.add(headers.name(i), headers.value(i));
        }
        String ct = contentTypeHeader();
        if (ct != null) {
            out.add("Content-Type", ct);
        }
        if (locale != null && !out.contains("Content-Language")) {
            out.add("Content-Language", locale.toLanguageTag());
        }
        if (!out.contains("Date")) {
            out.add("Date", HttpDate.now());
        }
        if (exchange.closeAfterResponse() && !out.containsToken("Connection", "close")) {
            out.add("Connection", "close");
        }
        return new ResponseHead(status, null, out, contentLength);
    }

    private String contentTypeHeader() {
        if (mimeType == null) {
            return null;
        }
        if (charset != null && (charsetExplicit || output == Output.WRITER)) {
            return mimeType + ";charset=" + charset;
        }
        return mimeType;
    }

    // Body

    @Override
    public ServletOutputStream getOutputStream() {
        exchange.checkActive();
        if (output == Output.WRITER) {
            throw new IllegalStateException("getWriter() has already been called for this response");
        }
        output = Output.STREAM;
        return stream;
    }

    @Override
    public PrintWriter getWriter() {
        exchange.checkActive();
        if (output == Output.STREAM) {
            throw new IllegalStateException("getOutputStream() has already been called for this response");
        }
        if (writer == null) {
            if (charset == null) {
                String fallback = exchange.context().getResponseCharacterEncoding();
                charset = fallback != null ? fallback : StandardCharsets.ISO_8859_1.name();
            }
            responseWriter = new ResponseWriter(stream, charsetOf(charset));
            writer = new PrintWriter(responseWriter, false);
        }
        output = Output.WRITER;
        return writer;
    }

    private static Charset charsetOf(String name) {
        try {
            return Charset.forName(name);
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            // setCharacterEncoding cannot throw, so an unknown name is found only here.
            throw new IllegalStateException("Unsupported response character encoding: " + name, e);
        }
    }

    /** Ends the application's part: the error page if one is pending, then what is buffered, as the last write. */
    void finish() throws IOException {
        if (errorPending && !stream.isCommitted()) {
            writeErrorPage();
        }
        stream.close();
    }

    private void writeErrorPage() {
        errorPending = false;
        stream.clearBuffer();
        byte[] page = ErrorPage.html(status, errorMessage);
        mimeType = "text/html";
        charset = "utf-8";
        charsetExplicit = true;
        declaredLength = -1;
        suppressed = false;
        try {
            stream.write(page, 0, page.length);
        } catch (IOException e) {
            // The client is gone; finish() ends the exchange either way.
        }
    }

    @Override
    public void setBufferSize(int size) {
        exchange.checkActive();
        if (stream.isCommitted() || stream.written() > 0) {
            throw new IllegalStateException("setBufferSize after content was written");
        }
        stream.resize(size);
    }

    @Override
    public int getBufferSize() {
        exchange.checkActive();
        return stream.bufferSize();
    }

    @Override
    public void flushBuffer() throws IOException {
        exchange.checkActive();
        if (writer != null) {
            writer.flush();
        }
        stream.flush();
    }

    @Override
    public void resetBuffer() {
        exchange.checkActive();
        stream.clearBuffer();
        if (responseWriter != null) {
            responseWriter.clearPending();
        }
    }

    @Override
    public boolean isCommitted() {
        exchange.checkActive();
        return stream.isCommitted() || suppressed;
    }

    @Override
    public void reset() {
        exchange.checkActive();
        if (isCommitted()) {
            throw new IllegalStateException("Cannot reset a committed response");
        }
        resetBuffer();
        headers.clear();
        status = SC_OK;
        mimeType = null;
        charset = null;
        charsetExplicit = false;
        locale = null;
        declaredLength = -1;
        output = Output.NONE;
        writer = null;
        responseWriter = null;
    }

    /** Throws away what the application did so a failure can answer with a clean error page. */
    void resetForError(int sc, String message) {
        resetBuffer();
        headers.clear();
        output = Output.NONE;
        writer = null;
        responseWriter = null;
        locale = null;
        status = sc;
        errorMessage = message;
        errorPending = true;
        suppressed = true;
    }

    /** Adds a header to a container-generated error response (which refuses the application's own changes). */
    void errorHeader(String name, String value) {
        headers.add(name, value);
    }

    // Content type and length

    @Override
    public String getCharacterEncoding() {
        exchange.checkActive();
        if (charset != null) {
            return charset;
        }
        String fallback = exchange.context().getResponseCharacterEncoding();
        return fallback != null ? fallback : StandardCharsets.ISO_8859_1.name();
    }

    @Override
    public String getContentType() {
        exchange.checkActive();
        return contentTypeHeader();
    }

    @Override
    public void setCharacterEncoding(String encoding) {
        exchange.checkActive();
        if (isCommitted() || output == Output.WRITER || exchange.including()) {
            return;
        }
        if (encoding == null) {
            charset = null;
            charsetExplicit = false;
        } else {
            charset = encoding;
            charsetExplicit = true;
        }
    }

    @Override
    public void setContentType(String type) {
        exchange.checkActive();
        if (isCommitted() || exchange.including()) {
            return;
        }
        if (type == null) {
            mimeType = null;
            if (output != Output.WRITER) {
                charset = null;
                charsetExplicit = false;
            }
            return;
        }
        StringBuilder rest = new StringBuilder();
        String found = null;
        for (String part : type.split(";")) {
            String p = part.trim();
            if (p.regionMatches(true, 0, "charset=", 0, 8)) {
                found = p.substring(8).trim();
                if (found.length() >= 2 && found.startsWith("\"") && found.endsWith("\"")) {
                    found = found.substring(1, found.length() - 1);
                }
            } else if (!p.isEmpty()) {
                if (rest.length() > 0) {
                    rest.append(';');
                }
                rest.append(p);
            }
        }
        mimeType = rest.toString();
        if (found != null && output != Output.WRITER) {
            charset = found;
            charsetExplicit = true;
        }
    }

    @Override
    public void setContentLength(int len) {
        exchange.checkActive();
        setContentLengthLong(len);
    }

    @Override
    public void setContentLengthLong(long len) {
        exchange.checkActive();
        if (isCommitted() || exchange.including()) {
            return;
        }
        declaredLength = len < 0 ? -1 : len;
    }

    @Override
    public void setLocale(Locale loc) {
        exchange.checkActive();
        if (isCommitted() || exchange.including() || loc == null) {
            return;
        }
        this.locale = loc;
    }

    @Override
    public Locale getLocale() {
        exchange.checkActive();
        return locale != null ? locale : Locale.getDefault();
    }

    // Status, errors and redirects

    @Override
    public void setStatus(int sc) {
        exchange.checkActive();
        if (isCommitted() || exchange.including()) {
            return;
        }
        if (sc < 100 || sc > 999) {
            throw new IllegalArgumentException("Invalid status code " + sc);
        }
        status = sc;
    }

    @Override
    public int getStatus() {
        exchange.checkActive();
        return status;
    }

    @Override
    public void sendError(int sc, String msg) throws IOException {
        exchange.checkActive();
        if (isCommitted()) {
            throw new IllegalStateException("Cannot send an error after the response was committed");
        }
        if (exchange.including()) {
            return;
        }
        resetBuffer();
        status = sc;
        errorMessage = msg;
        errorPending = true;
        suppressed = true;
    }

    @Override
    public void sendError(int sc) throws IOException {
        exchange.checkActive();
        sendError(sc, null);
    }

    @Override
    public void sendRedirect(String location, int sc, boolean clearBuffer) throws IOException {
        exchange.checkActive();
        if (isCommitted()) {
            throw new IllegalStateException("Cannot redirect after the response was committed");
        }
        if (exchange.including()) {
            return;
        }
        if (location == null) {
            throw new IllegalArgumentException("Redirect location is null");
        }
        if (clearBuffer) {
            resetBuffer();
        }
        setStatus(sc);
        setHeader("Location", exchange.request().resolveRedirect(location));
        suppressed = true;
    }

    // Headers

    @Override
    public void addCookie(Cookie cookie) {
        exchange.checkActive();
        if (isCommitted() || exchange.including()) {
            return;
        }
        headers.add("Set-Cookie", Cookies.format(cookie));
    }

    @Override
    public boolean containsHeader(String name) {
        exchange.checkActive();
        return getHeader(name) != null;
    }

    @Override
    public String encodeURL(String url) {
        exchange.checkActive();
        return url;
    }

    @Override
    public String encodeRedirectURL(String url) {
        exchange.checkActive();
        return url;
    }

    @Override
    public void setDateHeader(String name, long date) {
        exchange.checkActive();
        setHeader(name, HttpDate.format(date));
    }

    @Override
    public void addDateHeader(String name, long date) {
        exchange.checkActive();
        addHeader(name, HttpDate.format(date));
    }

    @Override
    public void setHeader(String name, String value) {
        exchange.checkActive();
        if (name == null || isCommitted() || exchange.including()) {
            return;
        }
        if (special(name, value)) {
            return;
        }
        headers.set(checkName(name), value == null ? null : checkValue(value));
    }

    @Override
    public void addHeader(String name, String value) {
        exchange.checkActive();
        if (name == null || value == null || isCommitted() || exchange.including()) {
            return;
        }
        if (special(name, value)) {
            return;
        }
        headers.add(checkName(name), checkValue(value));
    }

    /** Headers that are really properties of the response; returns whether {@code name} was one. */
    private boolean special(String name, String value) {
        if (name.equalsIgnoreCase("Content-Type")) {
            setContentType(value);
            return true;
        }
        if (name.equalsIgnoreCase("Content-Length")) {
            if (value == null) {
                declaredLength = -1;
            } else {
                try {
                    setContentLengthLong(Long.parseLong(value.trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("Content-Length is not a number: " + value);
                }
            }
            return true;
        }
        // Framing belongs to the bridge: a servlet cannot switch it on or off by header.
        return name.equalsIgnoreCase("Transfer-Encoding");
    }

    private static String checkName(String name) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("Empty header name");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= 0x20 || c >= 0x7f || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
                throw new IllegalArgumentException("Invalid character in header name: " + name);
            }
        }
        return name;
    }

    /** Refuses CR, LF and NUL (header injection); other characters outside ISO-8859-1 become '?'. */
    private static String checkValue(String value) {
        StringBuilder fixed = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw new IllegalArgumentException("Header value contains CR, LF or NUL");
            }
            if (c > 0xff) {
                if (fixed == null) {
                    fixed = new StringBuilder(value);
                }
                fixed.setCharAt(i, '?');
            }
        }
        return fixed == null ? value : fixed.toString();
    }

    @Override
    public void setIntHeader(String name, int value) {
        exchange.checkActive();
        setHeader(name, Integer.toString(value));
    }

    @Override
    public void addIntHeader(String name, int value) {
        exchange.checkActive();
        addHeader(name, Integer.toString(value));
    }

    @Override
    public String getHeader(String name) {
        exchange.checkActive();
        if (name.equalsIgnoreCase("Content-Type")) {
            return contentTypeHeader();
        }
        if (name.equalsIgnoreCase("Content-Length")) {
            return declaredLength >= 0 ? Long.toString(declaredLength) : null;
        }
        return headers.get(name);
    }

    @Override
    public Collection<String> getHeaders(String name) {
        exchange.checkActive();
        String special = name.equalsIgnoreCase("Content-Type") || name.equalsIgnoreCase("Content-Length")
                ? getHeader(name) : null;
        if (special != null) {
            return List.of(special);
        }
        return new ArrayList<>(headers.getAll(name));
    }

    @Override
    public Collection<String> getHeaderNames() {
        exchange.checkActive();
        List<String> names = new ArrayList<>(headers.names());
        if (contentTypeHeader() != null) {
            names.add("Content-Type");
        }
        if (declaredLength >= 0) {
            names.add("Content-Length");
        }
        return names;
    }

    @Override
    public void setTrailerFields(Supplier<java.util.Map<String, String>> supplier) {
        exchange.checkActive();
        throw new IllegalStateException("Trailer fields are not supported by this connector");
    }

    @Override
    public Supplier<java.util.Map<String, String>> getTrailerFields() {
        exchange.checkActive();
        return null;
    }
}
