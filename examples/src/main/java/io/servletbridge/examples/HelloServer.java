package io.servletbridge.examples;

import io.servletbridge.BridgeServer;
import io.servletbridge.Loop;
import io.servletbridge.ServletBridge;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;

/**
 * The smallest embedded server: one servlet on the loop of your choice.
 *
 * <pre>java -cp examples/target/servlet-bridge-examples-all.jar io.servletbridge.examples.HelloServer [netty|undertow] [port]</pre>
 */
public final class HelloServer {
    private HelloServer() {
    }

    /** Says hello, and echoes any {@code name} parameter. */
    public static final class HelloServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            String name = req.getParameter("name");
            resp.setContentType("text/plain;charset=utf-8");
            resp.getWriter().println("Hello, " + (name == null ? "world" : name) + "!");
        }
    }

    public static void main(String[] args) throws InterruptedException {
        Loop loop = args.length > 0 ? Loop.of(args[0]) : Loop.NETTY;
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 8080;
        BridgeServer server = ServletBridge.builder()
                .loop(loop)
                .host("127.0.0.1")
                .port(port)
                .servlet("hello", new HelloServlet(), "/", "/hello")
                .stopOnShutdown(Duration.ofSeconds(10))
                .start();
        System.out.println("Serving on http://127.0.0.1:" + server.port() + "/hello (" + loop + "); Ctrl-C stops");
        Thread.currentThread().join();
    }
}
