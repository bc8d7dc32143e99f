package io.servletbridge.servlet;

import io.servletbridge.http.ByteRanges;
import io.servletbridge.http.EntityTags;
import io.servletbridge.http.HttpDate;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.MappingMatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Serves the files under one directory: GET, HEAD and OPTIONS, with validators, conditional requests and byte
 * ranges.
 *
 * <p>Mapped as the default servlet ({@code /}) or an exact pattern it serves the request's whole path below the
 * directory; mapped to a prefix ({@code /static/*}) it serves the path after the prefix. A directory is redirected
 * to its slash-terminated form, then answered with its first welcome file; there are no listings.
 *
 * <p>Choices, where Tomcat and Jetty differ or the RFCs leave room:
 * <ul>
 *   <li>The entity-tag is strong, built from modification time and size as nginx does: strong so that
 *       {@code If-Range} works for resumed downloads (RFC 9110 13.1.5 requires strong comparison there); a file
 *       rewritten within the same millisecond to the same size would keep its tag, a risk nginx has taken for years.</li>
 *   <li>Symbolic links are followed only when they stay inside the directory, unless {@code followLinks} says
 *       otherwise (Tomcat's {@code allowLinking} is off by default for the same reason).</li>
 *   <li>Several ranges are sent as {@code multipart/byteranges}; overlapping ones are merged and more than
 *       {@value #MAX_RANGES} are ignored in favour of the whole file (RFC 9110 14.2).</li>
 *   <li>An unknown file type gets no {@code Content-Type} (RFC 9110 8.3) rather than a guess.</li>
 * </ul>
 *
 * <p>A body larger than the response buffer goes out without passing through the JVM ({@code sendfile} on both
 * loops) when the response reaches this servlet unwrapped; a filter that wraps the response sees the bytes instead,
 * read in pieces of at most {@value #COPY_PIECE} bytes.
 *
 * <p>Init parameters (when not built with {@link #StaticFileServlet(Path)}): {@code base} (the directory),
 * {@code welcomeFiles} (comma-separated, default {@code index.html}), {@code cacheControl} (a Cache-Control value to
 * send with every file), {@code followLinks} ({@code true} to follow links leaving the directory), {@code sendfile}
 * ({@code false} to copy instead).
 */
public class StaticFileServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    static final int MAX_RANGES = 16;
    static final int COPY_PIECE = 64 * 1024;
    private static final String ALLOW = "GET, HEAD, OPTIONS";

    private transient Path base;
    private List<String> welcomeFiles = List.of("index.html");
    private String cacheControl;
    private boolean followLinks;
    private boolean sendfile = true;

    /** Configured from init parameters. */
    public StaticFileServlet() {
    }

    /** Serves {@code directory}, which must exist. */
    public StaticFileServlet(Path directory) {
        this.base = realDirectory(Objects.requireNonNull(directory, "directory"));
    }

    /** Sends this Cache-Control value with every file (and its 304s); null for none. */
    public StaticFileServlet cacheControl(String value) {
        this.cacheControl = value;
        return this;
    }

    /** The file names tried, in order, for a directory. */
    public StaticFileServlet welcomeFiles(String... names) {
        this.welcomeFiles = List.of(names);
        return this;
    }

    /** Whether symbolic links that lead outside the directory are followed (default false). */
    public StaticFileServlet followLinks(boolean follow) {
        this.followLinks = follow;
        return this;
    }

    /**
     * Whether large files go to the loop as file regions ({@code sendfile}, the default) or are copied through the
     * output stream, as Tomcat's {@code useSendfile="false"}: for file systems where {@code sendfile} misbehaves.
     */
    public StaticFileServlet sendfile(boolean use) {
        this.sendfile = use;
        return this;
    }

    private static Path realDirectory(Path directory) {
        try {
            Path real = directory.toRealPath();
            if (!Files.isDirectory(real)) {
                throw new IllegalArgumentException("Static file directory is not a directory: " + directory);
            }
            return real;
        } catch (IOException e) {
            throw new IllegalArgumentException("Static file directory does not exist: " + directory, e);
        }
    }

    @Override
    public void init() throws ServletException {
        String dir = getInitParameter("base");
        if (dir != null) {
            try {
                base = realDirectory(Path.of(dir));
            } catch (IllegalArgumentException e) {
                throw new ServletException(e.getMessage(), e);
            }
        }
        if (base == null) {
            throw new ServletException("StaticFileServlet " + getServletName() + " has no directory: set the 'base'"
                    + " init parameter or construct it with one");
        }
        String welcome = getInitParameter("welcomeFiles");
        if (welcome != null) {
            welcomeFiles = List.of(welcome.trim().isEmpty() ? new String[0] : welcome.trim().split("\\s*,\\s*"));
        }
        String cache = getInitParameter("cacheControl");
        if (cache != null) {
            cacheControl = cache;
        }
        if (getInitParameter("followLinks") != null) {
            followLinks = Boolean.parseBoolean(getInitParameter("followLinks"));
        }
        if (getInitParameter("sendfile") != null) {
            sendfile = Boolean.parseBoolean(getInitParameter("sendfile"));
        }
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String method = req.getMethod();
        boolean head = method.equals("HEAD");
        if (!head && !method.equals("GET")) {
            resp.setHeader("Allow", ALLOW);
            if (method.equals("OPTIONS")) {
                resp.setContentLength(0);
            } else {
                resp.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
            }
            return;
        }
        String relative = relativePath(req);
        Path file = resolve(relative);
        BasicFileAttributes attributes = file == null ? null : attributes(file);
        // The type comes from the name asked for, not from where a link inside the directory leads.
        String name = relative.substring(relative.lastIndexOf('/') + 1);
        if (attributes != null && attributes.isDirectory()) {
            String uri = req.getRequestURI();
            if (!uri.endsWith("/")) {
                String query = req.getQueryString();
                resp.sendRedirect(uri + "/" + (query == null ? "" : "?" + query));
                return;
            }
            Path dir = file;
            file = null;
            attributes = null;
            for (String welcome : welcomeFiles) {
                Path candidate = resolve(dir, welcome);
                BasicFileAttributes a = candidate == null ? null : attributes(candidate);
                if (a != null && a.isRegularFile()) {
                    file = candidate;
                    attributes = a;
                    name = welcome;
                    break;
                }
            }
        }
        if (attributes == null || !attributes.isRegularFile()) {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        serve(req, resp, file, name, attributes, head);
    }

    /** The path below the directory that the request names, with a leading slash (or empty). */
    private static String relativePath(HttpServletRequest req) {
        String pathInfo = req.getPathInfo();
        if (req.getHttpServletMapping().getMappingMatch() == MappingMatch.PATH) {
            return pathInfo == null ? "" : pathInfo;
        }
        return req.getServletPath() + (pathInfo == null ? "" : pathInfo);
    }

    /** The file the (decoded, normalized) path names inside the directory, or null if it may not be served. */
    private Path resolve(String relative) {
        Path path = base;
        for (String segment : relative.split("/")) {
            if (segment.isEmpty()) {
                continue;
            }
            if (segment.equals("..") || segment.equals(".")) {
                // The container resolves dot segments before mapping; one left here is not ours to interpret.
                return null;
            }
            path = path.resolve(segment);
        }
        return contained(path);
    }

    private Path resolve(Path dir, String name) {
        return name.isEmpty() || name.contains("/") ? null : contained(dir.resolve(name));
    }

    private Path contained(Path path) {
        if (followLinks) {
            return path.normalize().startsWith(base) ? path : null;
        }
        try {
            Path real = path.toRealPath();
            return real.startsWith(base) ? real : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static BasicFileAttributes attributes(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            return null;
        }
    }

    private void serve(HttpServletRequest req, HttpServletResponse resp, Path file, String name,
                       BasicFileAttributes attributes, boolean head) throws IOException {
        long length = attributes.size();
        long modified = attributes.lastModifiedTime().toMillis();
        // HTTP dates have whole seconds: comparisons use the time the client can have seen.
        long modifiedSecond = modified / 1000 * 1000;
        String etag = "\"" + Long.toHexString(modified) + "-" + Long.toHexString(length) + "\"";
        resp.setHeader("ETag", etag);
        resp.setHeader("Last-Modified", HttpDate.format(modifiedSecond));
        if (cacheControl != null) {
            resp.setHeader("Cache-Control", cacheControl);
        }
        // RFC 9110 13.2.2: the preconditions, in the order a recipient evaluates them.
        String ifMatch = req.getHeader("If-Match");
        if (ifMatch != null) {
            if (!EntityTags.matches(ifMatch, etag, false)) {
                resp.setStatus(HttpServletResponse.SC_PRECONDITION_FAILED);
                return;
            }
        } else {
            long since = date(req.getHeader("If-Unmodified-Since"));
            if (since >= 0 && modifiedSecond > since) {
                resp.setStatus(HttpServletResponse.SC_PRECONDITION_FAILED);
                return;
            }
        }
        String ifNoneMatch = req.getHeader("If-None-Match");
        if (ifNoneMatch != null) {
            if (EntityTags.matches(ifNoneMatch, etag, true)) {
                resp.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
                return;
            }
        } else {
            long since = date(req.getHeader("If-Modified-Since"));
            if (since >= 0 && modifiedSecond <= since) {
                resp.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
                return;
            }
        }
        resp.setHeader("Accept-Ranges", "bytes");
        String type = getServletContext().getMimeType(name);
        List<ByteRanges.Range> ranges = head ? null : ranges(req, etag, modifiedSecond, length);
        if (ranges == null) {
            if (type != null) {
                resp.setContentType(type);
            }
            resp.setContentLengthLong(length);
            if (!head) {
                send(resp, file, 0, length);
            }
        } else if (ranges.isEmpty()) {
            resp.setHeader("Content-Range", "bytes */" + length);
            resp.sendError(HttpServletResponse.SC_REQUESTED_RANGE_NOT_SATISFIABLE);
        } else if (ranges.size() == 1) {
            ByteRanges.Range r = ranges.get(0);
            resp.setStatus(HttpServletResponse.SC_PARTIAL_CONTENT);
            if (type != null) {
                resp.setContentType(type);
            }
            resp.setHeader("Content-Range", contentRange(r, length));
            resp.setContentLengthLong(r.length());
            send(resp, file, r.first(), r.length());
        } else {
            sendParts(resp, file, ranges, type, length);
        }
    }

    /** The ranges to send, or null to send the whole file (no Range, or an If-Range that no longer holds). */
    private static List<ByteRanges.Range> ranges(HttpServletRequest req, String etag, long modifiedSecond,
                                                 long length) {
        String range = req.getHeader("Range");
        if (range == null) {
            return null;
        }
        String ifRange = req.getHeader("If-Range");
        if (ifRange != null) {
            // RFC 9110 13.1.5: a tag must match strongly, a date exactly; otherwise the whole new file is sent.
            // One validator, not a list; our tag is strong, so strong comparison is equality.
            boolean holds = EntityTags.isTag(ifRange)
                    ? ifRange.trim().equals(etag)
                    : date(ifRange) == modifiedSecond;
            if (!holds) {
                return null;
            }
        }
        return ByteRanges.parse(range, length, MAX_RANGES);
    }

    private static long date(String value) {
        return value == null ? -1 : HttpDate.parse(value);
    }

    private static String contentRange(ByteRanges.Range r, long length) {
        return "bytes " + r.first() + "-" + r.last() + "/" + length;
    }

    private void sendParts(HttpServletResponse resp, Path file, List<ByteRanges.Range> ranges, String type,
                           long length) throws IOException {
        String boundary = "SERVLET_BRIDGE_" + Long.toHexString(ThreadLocalRandom.current().nextLong() | 1L << 63);
        List<byte[]> heads = new ArrayList<>(ranges.size());
        long total = 0;
        for (int i = 0; i < ranges.size(); i++) {
            ByteRanges.Range r = ranges.get(i);
            String partHead = (i == 0 ? "" : "\r\n") + "--" + boundary + "\r\n"
                    + (type != null ? "Content-Type: " + type + "\r\n" : "")
                    + "Content-Range: " + contentRange(r, length) + "\r\n\r\n";
            byte[] bytes = partHead.getBytes(StandardCharsets.ISO_8859_1);
            heads.add(bytes);
            total += bytes.length + r.length();
        }
        byte[] end = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.ISO_8859_1);
        total += end.length;
        resp.setStatus(HttpServletResponse.SC_PARTIAL_CONTENT);
        resp.setContentType("multipart/byteranges; boundary=" + boundary);
        resp.setContentLengthLong(total);
        ServletOutputStream out = resp.getOutputStream();
        for (int i = 0; i < ranges.size(); i++) {
            out.write(heads.get(i));
            send(resp, file, ranges.get(i).first(), ranges.get(i).length());
        }
        out.write(end);
    }

    /**
     * Sends {@code count} bytes of {@code file} from {@code position}: handed to the loop whole when the response is
     * ours and the piece is larger than its buffer, else copied through the output stream.
     */
    private void send(HttpServletResponse resp, Path file, long position, long count) throws IOException {
        ServletOutputStream out = resp.getOutputStream();
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            // Unreadable, or gone since it was looked at: unless parts went before, the head is not sent yet.
            if (!resp.isCommitted()) {
                resp.reset();
                resp.sendError(HttpServletResponse.SC_NOT_FOUND);
                return;
            }
            throw e;
        }
        if (sendfile && resp instanceof BridgeResponse ours && count > ours.getBufferSize()) {
            // The stream owns the channel from here and sees that it is closed.
            ours.stream().sendFile(channel, position, count);
            return;
        }
        try (channel) {
            ByteBuffer piece = ByteBuffer.allocate((int) Math.min(count, COPY_PIECE));
            long at = position;
            long end = position + count;
            while (at < end) {
                piece.clear().limit((int) Math.min(piece.capacity(), end - at));
                int n = channel.read(piece, at);
                if (n < 0) {
                    throw new IOException("File " + file + " ended " + (end - at) + " bytes early");
                }
                out.write(piece.array(), 0, n);
                at += n;
            }
        }
    }
}
