package io.servletbridge.benchmarks.servers;

import io.servletbridge.benchmarks.servlets.BenchApp;
import io.servletbridge.benchmarks.servlets.StaticSite;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** Jetty 12 with the ee10 servlet environment. */
public final class JettyServer {
    private JettyServer() {
    }

    public static void main(String[] args) throws Exception {
        // Jetty runs its selectors and acceptors on this same pool, so it gets a few threads on top of the workers.
        QueuedThreadPool pool = new QueuedThreadPool(BenchApp.workers() + 2 * ServerMain.ioThreads() + 2);
        pool.setName("jetty");
        Server server = new Server(pool);
        ServerConnector connector = new ServerConnector(server, 1, ServerMain.ioThreads());
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setAcceptQueueSize(4096);
        server.addConnector(connector);

        ServletContextHandler ctx = new ServletContextHandler("/");
        for (BenchApp.Mapping m : BenchApp.mappings()) {
            ServletHolder holder = new ServletHolder(m.servlet());
            holder.setName(m.name());
            ctx.addServlet(holder, m.path());
        }
        // Jetty's own DefaultServlet (ee10), as a WAR gets it.
        ctx.setBaseResourceAsPath(StaticSite.directory());
        ServletHolder files = new ServletHolder("default", org.eclipse.jetty.ee10.servlet.DefaultServlet.class);
        ctx.addServlet(files, "/");
        server.setHandler(ctx);
        server.start();
        ServerMain.serveUntilDriverGoes(connector.getLocalPort());
    }
}
