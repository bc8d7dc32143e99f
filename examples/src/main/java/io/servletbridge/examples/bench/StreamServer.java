package io.servletbridge.examples.bench;

import io.servletbridge.BridgeServer;
import io.servletbridge.Loop;
import io.servletbridge.ServletBridge;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Arrays;

/**
 * The server side of {@link StreamingBenchmark}: download, upload and echo servlets. Run in its own JVM so the
 * benchmark can bound its heap and read its peak RSS. Prints {@code PORT n} once listening.
 */
public final class StreamServer {
    private StreamServer() {
    }

    /** Streams {@code ?bytes=N} bytes of a repeating pattern. */
    public static final class Download extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            long total = Long.parseLong(req.getParameter("bytes"));
            byte[] block = new byte[64 * 1024];
            Arrays.fill(block, (byte) 'x');
            resp.setContentType("application/octet-stream");
            ServletOutputStream out = resp.getOutputStream();
            for (long left = total; left > 0; ) {
                int n = (int) Math.min(block.length, left);
                out.write(block, 0, n);
                left -= n;
            }
        }
    }

    /** Reads the whole body and answers how many bytes arrived. */
    public static final class Upload extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            ServletInputStream in = req.getInputStream();
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = in.read(buf)) >= 0; ) {
                total += n;
            }
            resp.setContentType("text/plain");
            resp.getWriter().print(total);
        }
    }

    /** Writes back every byte it reads, as it reads it. */
    public static final class Echo extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            ServletInputStream in = req.getInputStream();
            ServletOutputStream out = resp.getOutputStream();
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
            }
        }
    }

    public static void main(String[] args) throws InterruptedException {
        Loop loop = Loop.of(args.length > 0 ? args[0] : "netty");
        BridgeServer server = ServletBridge.builder()
                .loop(loop)
                .workers(8, 16)
                .servlet("download", new Download(), "/download")
                .servlet("upload", new Upload(), "/upload")
                .servlet("echo", new Echo(), "/echo")
                .start();
        System.out.println("PORT " + server.port());
        System.out.flush();
        Thread.currentThread().join();
    }
}
