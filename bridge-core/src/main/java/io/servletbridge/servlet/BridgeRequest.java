package io.servletbridge.servlet;

import io.servletbridge.http.BadMessageException;
import io.servletbridge.http.Cookies;
import io.servletbridge.http.FormDecoder;
import io.servletbridge.http.HttpDate;
import io.servletbridge.http.RequestPath;
import io.servletbridge.spi.HttpFields;
import io.servletbridge.spi.RequestHead;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletConnection;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestAttributeEvent;
import jakarta.servlet.ServletRequestAttributeListener;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.Part;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UnsupportedEncodingException;
import java.net.InetSocketAddress;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The servlet's view of the request, built lazily from the loop's {@link RequestHead}. */
final class BridgeRequest implements HttpServletRequest {
    private enum Input { NONE, STREAM, READER }

    private final ServletExchange exchange;
    private final RequestHead head;
    private final RequestBodyStream body;
    private final String rawPath;
    private final String query;
    private final Map<String, Object> attributes = new HashMap<>();
    private String pathInContext;
    private String originalPathInContext;
    private ServletMapper.Match match;
    private DispatcherType dispatcherType = DispatcherType.REQUEST;
    private boolean asyncSupportedHere = true;
    /** Set by an async dispatch: the target's URI and query replace the original's in the path getters. */
    private String dispatchUri;
    private String dispatchQuery;
    private Input input = Input.NONE;
    private BufferedReader reader;
    private String characterEncoding;
    private Map<String, List<String>> parameters;
    private RuntimeException parameterFailure;
    private Cookie[] cookies;

    BridgeRequest(ServletExchange exchange, RequestHead head, RequestBodyStream body) {
        this.exchange = exchange;
        this.head = head;
        this.body = body;
        String target = head.target();
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        this.query = q < 0 ? null : target.substring(q + 1);
        this.rawPath = stripAbsoluteForm(path);
    }

    /** An absolute-form target ({@code http://host/path}) is reduced to its path, as RFC 9112 asks of servers. */
    private static String stripAbsoluteForm(String path) {
        int scheme = path.indexOf("://");
        if (scheme > 0 && path.charAt(0) != '/') {
            int slash = path.indexOf('/', scheme + 3);
            return slash < 0 ? "/" : path.substring(slash);
        }
        return path;
    }

    /**
     * Decodes the path and checks it lies in the context. Throws BadMessageException for a malformed path.
     *
     * @return the decoded path within the context, or null when the request is outside the context
     */
    String resolvePath(String contextPath) {
        String decoded = RequestPath.decode(rawPath);
        if (contextPath.isEmpty()) {
            pathInContext = decoded;
        } else if (decoded.equals(contextPath)) {
            pathInContext = "/";
        } else if (decoded.startsWith(contextPath) && decoded.charAt(contextPath.length()) == '/') {
            pathInContext = decoded.substring(contextPath.length());
        } else {
            return null;
        }
        originalPathInContext = pathInContext;
        return pathInContext;
    }

    String originalPathInContext() {
        return originalPathInContext;
    }

    void enterDispatch(DispatcherType type) {
        dispatcherType = type;
        asyncSupportedHere = true;
    }

    void narrowAsyncSupport(boolean supported) {
        asyncSupportedHere &= supported;
    }

    boolean asyncSupportedHere() {
        return asyncSupportedHere;
    }

    /**
     * Re-aims the request at an async dispatch target. The first async dispatch records the original path
     * elements in the {@code jakarta.servlet.async.*} attributes (spec 9.7.2); query parameters of the target come
     * before the original ones.
     */
    void asyncDispatchTo(String path, String query, ServletMapper.Match target) {
        if (attributes.get(AsyncContext.ASYNC_REQUEST_URI) == null) {
            attributes.put(AsyncContext.ASYNC_REQUEST_URI, getRequestURI());
            attributes.put(AsyncContext.ASYNC_CONTEXT_PATH, getContextPath());
            putIfNotNull(AsyncContext.ASYNC_SERVLET_PATH, getServletPath());
            putIfNotNull(AsyncContext.ASYNC_PATH_INFO, getPathInfo());
            putIfNotNull(AsyncContext.ASYNC_QUERY_STRING, getQueryString());
            putIfNotNull(AsyncContext.ASYNC_MAPPING, getHttpServletMapping());
        }
        if (query != null) {
            Map<String, List<String>> merged = new LinkedHashMap<>();
            FormDecoder.decode(query, StandardCharsets.UTF_8, merged,
                    exchange.context().config().maxParameterCount());
            for (Map.Entry<String, List<String>> e : parameters().entrySet()) {
                merged.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).addAll(e.getValue());
            }
            for (Map.Entry<String, List<String>> e : merged.entrySet()) {
                e.setValue(Collections.unmodifiableList(e.getValue()));
            }
            parameters = Collections.unmodifiableMap(merged);
            dispatchQuery = query;
        }
        pathInContext = path;
        match = target;
        dispatchUri = exchange.context().getContextPath() + path;
    }

    private void putIfNotNull(String name, Object value) {
        if (value != null) {
            attributes.put(name, value);
        }
    }

    void setMatch(ServletMapper.Match m) {
        this.match = m;
    }

    RequestHead head() {
        return head;
    }

    /** Turns a redirect location into an absolute path when it is relative, as Tomcat's default does. */
    String resolveRedirect(String location) {
        if (location.startsWith("/") || location.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
            return location;
        }
        int slash = rawPath.lastIndexOf('/');
        String base = rawPath.substring(0, slash + 1);
        String combined = base + location;
        int q = combined.indexOf('?');
        String p = q < 0 ? combined : combined.substring(0, q);
        String rest = q < 0 ? "" : combined.substring(q);
        try {
            return normalizeDots(p) + rest;
        } catch (BadMessageException e) {
            return combined;
        }
    }

    private static String normalizeDots(String p) {
        List<String> out = new ArrayList<>();
        String[] segs = p.split("/", -1);
        for (int i = 1; i < segs.length; i++) {
            String s = segs[i];
            if (s.equals(".")) {
                if (i == segs.length - 1) {
                    out.add("");
                }
            } else if (s.equals("..")) {
                if (!out.isEmpty()) {
                    out.remove(out.size() - 1);
                }
                if (i == segs.length - 1) {
                    out.add("");
                }
            } else {
                out.add(s);
            }
        }
        return "/" + String.join("/", out);
    }

    // Request line and paths

    @Override
    public String getMethod() {
        exchange.checkActive();
        return head.method();
    }

    @Override
    public String getRequestURI() {
        exchange.checkActive();
        return dispatchUri != null ? dispatchUri : rawPath;
    }

    @Override
    public StringBuffer getRequestURL() {
        exchange.checkActive();
        StringBuffer sb = new StringBuffer(64);
        String scheme = getScheme();
        int port = getServerPort();
        sb.append(scheme).append("://");
        String host = getServerName();
        sb.append(host.indexOf(':') >= 0 ? "[" + host + "]" : host);
        if (!(scheme.equals("http") && port == 80) && !(scheme.equals("https") && port == 443)) {
            sb.append(':').append(port);
        }
        sb.append(getRequestURI());
        return sb;
    }

    @Override
    public String getQueryString() {
        exchange.checkActive();
        return dispatchQuery != null ? dispatchQuery : query;
    }

    @Override
    public String getContextPath() {
        exchange.checkActive();
        return exchange.context().getContextPath();
    }

    @Override
    public String getServletPath() {
        exchange.checkActive();
        return match == null ? pathInContext : match.servletPath();
    }

    @Override
    public String getPathInfo() {
        exchange.checkActive();
        return match == null ? null : match.pathInfo();
    }

    @Override
    public String getPathTranslated() {
        exchange.checkActive();
        String info = getPathInfo();
        return info == null ? null : exchange.context().getRealPath(info);
    }

    @Override
    public HttpServletMapping getHttpServletMapping() {
        exchange.checkActive();
        return match;
    }

    @Override
    public String getProtocol() {
        exchange.checkActive();
        return head.protocol();
    }

    @Override
    public String getScheme() {
        exchange.checkActive();
        return head.scheme();
    }

    @Override
    public boolean isSecure() {
        exchange.checkActive();
        return "https".equals(head.scheme());
    }

    /** The Host header split into name and port; IPv6 literals lose their brackets. */
    private String[] hostAndPort() {
        String host = head.headers().get("Host");
        if (host == null || host.isEmpty()) {
            return null;
        }
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            if (close < 0) {
                return new String[] {host, null};
            }
            String port = close + 1 < host.length() && host.charAt(close + 1) == ':' ? host.substring(close + 2) : null;
            return new String[] {host.substring(1, close), port};
        }
        int colon = host.lastIndexOf(':');
        return colon < 0 ? new String[] {host, null} : new String[] {host.substring(0, colon), host.substring(colon + 1)};
    }

    @Override
    public String getServerName() {
        exchange.checkActive();
        String[] hp = hostAndPort();
        return hp != null ? hp[0] : getLocalAddr();
    }

    @Override
    public int getServerPort() {
        exchange.checkActive();
        String[] hp = hostAndPort();
        if (hp == null) {
            return getLocalPort();
        }
        if (hp[1] == null || hp[1].isEmpty()) {
            return isSecure() ? 443 : 80;
        }
        try {
            return Integer.parseInt(hp[1]);
        } catch (NumberFormatException e) {
            return getLocalPort();
        }
    }

    // Addresses

    private static String addr(InetSocketAddress a) {
        return a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
    }

    @Override
    public String getRemoteAddr() {
        exchange.checkActive();
        return addr(head.remote());
    }

    @Override
    public String getRemoteHost() {
        exchange.checkActive();
        // No reverse DNS on the request path: like Tomcat's default, the host is the address.
        return getRemoteAddr();
    }

    @Override
    public int getRemotePort() {
        exchange.checkActive();
        return head.remote().getPort();
    }

    @Override
    public String getLocalName() {
        exchange.checkActive();
        return head.local().getHostString();
    }

    @Override
    public String getLocalAddr() {
        exchange.checkActive();
        return addr(head.local());
    }

    @Override
    public int getLocalPort() {
        exchange.checkActive();
        return head.local().getPort();
    }

    // Headers

    @Override
    public String getHeader(String name) {
        exchange.checkActive();
        return head.headers().get(name);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
        exchange.checkActive();
        return Collections.enumeration(head.headers().getAll(name));
    }

    @Override
    public Enumeration<String> getHeaderNames() {
        exchange.checkActive();
        return Collections.enumeration(head.headers().names());
    }

    @Override
    public int getIntHeader(String name) {
        exchange.checkActive();
        String v = getHeader(name);
        return v == null ? -1 : Integer.parseInt(v.trim());
    }

    @Override
    public long getDateHeader(String name) {
        exchange.checkActive();
        String v = getHeader(name);
        if (v == null) {
            return -1;
        }
        long t = HttpDate.parse(v);
        if (t < 0) {
            throw new IllegalArgumentException("Not an HTTP date in header " + name + ": " + v);
        }
        return t;
    }

    @Override
    public Cookie[] getCookies() {
        exchange.checkActive();
        if (cookies == null) {
            cookies = Cookies.parse(head.headers().getAll("Cookie"));
        }
        return cookies.length == 0 ? null : cookies.clone();
    }

    @Override
    public Locale getLocale() {
        exchange.checkActive();
        return getLocalesList().get(0);
    }

    @Override
    public Enumeration<Locale> getLocales() {
        exchange.checkActive();
        return Collections.enumeration(getLocalesList());
    }

    private List<Locale> getLocalesList() {
        String al = getHeader("Accept-Language");
        if (al == null || al.isBlank()) {
            return List.of(Locale.getDefault());
        }
        record Weighted(Locale locale, double q, int order) { }
        List<Weighted> list = new ArrayList<>();
        String[] parts = al.split(",");
        for (int i = 0; i < parts.length; i++) {
            String[] kv = parts[i].trim().split(";");
            String tag = kv[0].trim();
            if (tag.isEmpty() || tag.equals("*")) {
                continue;
            }
            double q = 1.0;
            for (int j = 1; j < kv.length; j++) {
                String p = kv[j].trim();
                if (p.startsWith("q=")) {
                    try {
                        q = Double.parseDouble(p.substring(2));
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            if (q > 0) {
                list.add(new Weighted(Locale.forLanguageTag(tag), q, i));
            }
        }
        if (list.isEmpty()) {
            return List.of(Locale.getDefault());
        }
        list.sort((a, b) -> a.q != b.q ? Double.compare(b.q, a.q) : Integer.compare(a.order, b.order));
        List<Locale> out = new ArrayList<>(list.size());
        for (Weighted w : list) {
            out.add(w.locale);
        }
        return out;
    }

    // Body

    @Override
    public String getCharacterEncoding() {
        exchange.checkActive();
        if (characterEncoding != null) {
            return characterEncoding;
        }
        String fromType = charsetParam(getContentType());
        if (fromType != null) {
            return fromType;
        }
        return exchange.context().getRequestCharacterEncoding();
    }

    private static String charsetParam(String contentType) {
        if (contentType == null) {
            return null;
        }
        for (String part : contentType.split(";")) {
            String p = part.trim();
            if (p.regionMatches(true, 0, "charset=", 0, 8)) {
                String v = p.substring(8).trim();
                if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                    v = v.substring(1, v.length() - 1);
                }
                return v;
            }
        }
        return null;
    }

    @Override
    public void setCharacterEncoding(String env) throws UnsupportedEncodingException {
        exchange.checkActive();
        if (input == Input.READER || parameters != null) {
            return;
        }
        if (env != null) {
            charsetOr(env, null);
        }
        characterEncoding = env;
    }

    private static Charset charsetOr(String name, Charset fallback) throws UnsupportedEncodingException {
        try {
            return Charset.forName(name);
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            if (fallback != null) {
                return fallback;
            }
            throw new UnsupportedEncodingException(name);
        }
    }

    /**
     * The charset for the body and forms: the request's own, else the context default, else UTF-8. The spec's
     * ISO-8859-1 default garbles every form a browser sends today; Jetty chose UTF-8 for the same reason.
     */
    private Charset bodyCharset() {
        String name = getCharacterEncoding();
        if (name == null) {
            return StandardCharsets.UTF_8;
        }
        try {
            return charsetOr(name, null);
        } catch (UnsupportedEncodingException e) {
            throw new BadMessageException(415, "Unsupported request charset: " + name);
        }
    }

    @Override
    public int getContentLength() {
        exchange.checkActive();
        long len = getContentLengthLong();
        return len > Integer.MAX_VALUE ? -1 : (int) len;
    }

    @Override
    public long getContentLengthLong() {
        exchange.checkActive();
        String cl = getHeader("Content-Length");
        return cl == null ? -1 : head.contentLength();
    }

    @Override
    public String getContentType() {
        exchange.checkActive();
        return getHeader("Content-Type");
    }

    @Override
    public ServletInputStream getInputStream() {
        exchange.checkActive();
        if (input == Input.READER) {
            throw new IllegalStateException("getReader() has already been called for this request");
        }
        input = Input.STREAM;
        return body;
    }

    @Override
    public BufferedReader getReader() {
        exchange.checkActive();
        if (input == Input.STREAM) {
            throw new IllegalStateException("getInputStream() has already been called for this request");
        }
        if (reader == null) {
            reader = new BufferedReader(new InputStreamReader(body, bodyCharset()));
        }
        input = Input.READER;
        return reader;
    }

    // Parameters

    private Map<String, List<String>> parameters() {
        if (parameterFailure != null) {
            throw parameterFailure;
        }
        if (parameters == null) {
            try {
                parameters = parseParameters();
            } catch (RuntimeException e) {
                parameterFailure = e;
                throw e;
            }
        }
        return parameters;
    }

    private Map<String, List<String>> parseParameters() {
        ContainerConfig cfg = exchange.context().config();
        Map<String, List<String>> p = new LinkedHashMap<>();
        if (query != null) {
            FormDecoder.decode(query, StandardCharsets.UTF_8, p, cfg.maxParameterCount());
        }
        String type = getContentType();
        if ("POST".equals(getMethod()) && input == Input.NONE && type != null
                && type.regionMatches(true, 0, "application/x-www-form-urlencoded", 0, 33)) {
            Charset cs = bodyCharset();
            String form = readForm(cfg.maxFormContentSize(), cs);
            FormDecoder.decode(form, cs, p, cfg.maxParameterCount());
        }
        for (Map.Entry<String, List<String>> e : p.entrySet()) {
            e.setValue(Collections.unmodifiableList(e.getValue()));
        }
        return Collections.unmodifiableMap(p);
    }

    /** Reads a form body, refusing one larger than {@code max} before holding it all. */
    private String readForm(int max, Charset cs) {
        long declared = head.contentLength();
        if (declared > max) {
            throw new BadMessageException("Form body of " + declared + " bytes exceeds the limit of " + max);
        }
        input = Input.STREAM;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(declared > 0 ? (int) declared : 256);
        byte[] chunk = new byte[8192];
        try {
            int n;
            while ((n = body.read(chunk, 0, chunk.length)) >= 0) {
                if (bytes.size() + n > max) {
                    throw new BadMessageException("Form body exceeds the limit of " + max + " bytes");
                }
                bytes.write(chunk, 0, n);
            }
        } catch (IOException e) {
            throw new BadMessageException("Form body could not be read: " + e.getMessage());
        }
        return bytes.toString(cs);
    }

    @Override
    public String getParameter(String name) {
        exchange.checkActive();
        List<String> v = parameters().get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    @Override
    public Enumeration<String> getParameterNames() {
        exchange.checkActive();
        return Collections.enumeration(parameters().keySet());
    }

    @Override
    public String[] getParameterValues(String name) {
        exchange.checkActive();
        List<String> v = parameters().get(name);
        return v == null ? null : v.toArray(new String[0]);
    }

    @Override
    public Map<String, String[]> getParameterMap() {
        exchange.checkActive();
        Map<String, String[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : parameters().entrySet()) {
            out.put(e.getKey(), e.getValue().toArray(new String[0]));
        }
        return Collections.unmodifiableMap(out);
    }

    // Attributes

    @Override
    public Object getAttribute(String name) {
        exchange.checkActive();
        return attributes.get(name);
    }

    @Override
    public Enumeration<String> getAttributeNames() {
        exchange.checkActive();
        return Collections.enumeration(new ArrayList<>(attributes.keySet()));
    }

    @Override
    public void setAttribute(String name, Object value) {
        exchange.checkActive();
        if (name == null) {
            throw new IllegalArgumentException("Attribute name is null");
        }
        if (value == null) {
            removeAttribute(name);
            return;
        }
        Object old = attributes.put(name, value);
        List<ServletRequestAttributeListener> ls = exchange.context().requestAttributeListeners;
        if (!ls.isEmpty()) {
            ServletRequestAttributeEvent ev = new ServletRequestAttributeEvent(exchange.context(), this, name,
                    old == null ? value : old);
            for (ServletRequestAttributeListener l : ls) {
                if (old == null) {
                    l.attributeAdded(ev);
                } else {
                    l.attributeReplaced(ev);
                }
            }
        }
    }

    @Override
    public void removeAttribute(String name) {
        exchange.checkActive();
        Object old = attributes.remove(name);
        List<ServletRequestAttributeListener> ls = exchange.context().requestAttributeListeners;
        if (old != null && !ls.isEmpty()) {
            ServletRequestAttributeEvent ev = new ServletRequestAttributeEvent(exchange.context(), this, name, old);
            for (ServletRequestAttributeListener l : ls) {
                l.attributeRemoved(ev);
            }
        }
    }

    // Context, dispatch, async

    @Override
    public ServletContext getServletContext() {
        exchange.checkActive();
        return exchange.context();
    }

    @Override
    public RequestDispatcher getRequestDispatcher(String path) {
        exchange.checkActive();
        return exchange.context().getRequestDispatcher(path);
    }

    @Override
    public DispatcherType getDispatcherType() {
        exchange.checkActive();
        return dispatcherType;
    }

    @Override
    public AsyncContext startAsync() {
        exchange.checkActive();
        return exchange.startAsync(this, exchange.response(), true);
    }

    @Override
    public AsyncContext startAsync(ServletRequest request, ServletResponse response) {
        exchange.checkActive();
        return exchange.startAsync(request, response, request == this && response == exchange.response());
    }

    @Override
    public boolean isAsyncStarted() {
        exchange.checkActive();
        return exchange.isAsyncStarted();
    }

    @Override
    public boolean isAsyncSupported() {
        exchange.checkActive();
        return asyncSupportedHere;
    }

    @Override
    public AsyncContext getAsyncContext() {
        exchange.checkActive();
        return exchange.asyncContext();
    }

    @Override
    public String getRequestId() {
        exchange.checkActive();
        return exchange.id();
    }

    @Override
    public String getProtocolRequestId() {
        exchange.checkActive();
        return "";
    }

    @Override
    public ServletConnection getServletConnection() {
        exchange.checkActive();
        return new ServletConnection() {
            @Override
            public String getConnectionId() {
                exchange.checkActive();
                return head.remote().toString();
            }

            @Override
            public String getProtocol() {
                exchange.checkActive();
                return head.protocol();
            }

            @Override
            public String getProtocolConnectionId() {
                exchange.checkActive();
                return "";
            }

            @Override
            public boolean isSecure() {
                exchange.checkActive();
                return BridgeRequest.this.isSecure();
            }
        };
    }

    // Security and sessions: declarative security and sessions come with the full container.

    @Override
    public String getAuthType() {
        exchange.checkActive();
        return null;
    }

    @Override
    public String getRemoteUser() {
        exchange.checkActive();
        return null;
    }

    @Override
    public boolean isUserInRole(String role) {
        exchange.checkActive();
        return false;
    }

    @Override
    public Principal getUserPrincipal() {
        exchange.checkActive();
        return null;
    }

    @Override
    public String getRequestedSessionId() {
        exchange.checkActive();
        return null;
    }

    @Override
    public HttpSession getSession(boolean create) {
        exchange.checkActive();
        if (create) {
            throw new IllegalStateException("HTTP sessions are not supported yet");
        }
        return null;
    }

    @Override
    public HttpSession getSession() {
        exchange.checkActive();
        return getSession(true);
    }

    @Override
    public String changeSessionId() {
        exchange.checkActive();
        throw new IllegalStateException("The request has no session");
    }

    @Override
    public boolean isRequestedSessionIdValid() {
        exchange.checkActive();
        return false;
    }

    @Override
    public boolean isRequestedSessionIdFromCookie() {
        exchange.checkActive();
        return false;
    }

    @Override
    public boolean isRequestedSessionIdFromURL() {
        exchange.checkActive();
        return false;
    }

    @Override
    public boolean authenticate(HttpServletResponse response) throws IOException, ServletException {
        exchange.checkActive();
        response.sendError(HttpServletResponse.SC_UNAUTHORIZED);
        return false;
    }

    @Override
    public void login(String username, String password) throws ServletException {
        exchange.checkActive();
        throw new ServletException("No login mechanism is configured");
    }

    @Override
    public void logout() {
        exchange.checkActive();
        // Nobody is ever logged in without a login mechanism.
    }

    @Override
    public Collection<Part> getParts() throws ServletException {
        exchange.checkActive();
        throw new ServletException("Multipart requests are not supported yet");
    }

    @Override
    public Part getPart(String name) throws ServletException {
        exchange.checkActive();
        throw new ServletException("Multipart requests are not supported yet");
    }

    @Override
    public <T extends HttpUpgradeHandler> T upgrade(Class<T> handlerClass) throws ServletException {
        exchange.checkActive();
        throw new ServletException("Protocol upgrade is not supported");
    }

    @Override
    public Map<String, String> getTrailerFields() {
        exchange.checkActive();
        return Collections.emptyMap();
    }

    @Override
    public boolean isTrailerFieldsReady() {
        exchange.checkActive();
        return true;
    }

    HttpFields headers() {
        return head.headers();
    }
}
