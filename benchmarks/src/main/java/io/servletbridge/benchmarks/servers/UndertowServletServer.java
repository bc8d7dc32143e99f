package io.servletbridge.benchmarks.servers;

import io.servletbridge.benchmarks.servlets.BenchApp;
import io.servletbridge.benchmarks.servlets.StaticSite;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.api.ServletInfo;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletException;
import java.net.InetSocketAddress;

/** Undertow's own servlet container on the same undertow-core the bridge adapts. */
public final class UndertowServletServer {
    private UndertowServletServer() {
    }

    public static void main(String[] args) throws ServletException {
        DeploymentInfo app = Servlets.deployment()
                .setClassLoader(UndertowServletServer.class.getClassLoader())
                .setContextPath("/")
                .setDeploymentName("bench")
                // Undertow's own default servlet serves this, as a WAR's static files.
                .setResourceManager(new io.undertow.server.handlers.resource.PathResourceManager(
                        StaticSite.directory()));
        for (BenchApp.Mapping m : BenchApp.mappings()) {
            app.addServlet(info(m.name(), m.servlet()).addMapping(m.path()));
        }
        DeploymentManager manager = Servlets.defaultContainer().addDeployment(app);
        manager.deploy();
        HttpHandler handler = manager.start();

        Undertow server = Undertow.builder()
                .setIoThreads(ServerMain.ioThreads())
                .setWorkerThreads(BenchApp.workers())
                .setSocketOption(org.xnio.Options.BACKLOG, 4096)
                .addHttpListener(0, "127.0.0.1")
                .setHandler(handler)
                .build();
        server.start();
        InetSocketAddress address = (InetSocketAddress) server.getListenerInfo().get(0).getAddress();
        ServerMain.serveUntilDriverGoes(address.getPort());
    }

    /** Hands Undertow the instance itself, so every container runs the very same servlet objects' classes. */
    private static <T extends Servlet> ServletInfo info(String name, T servlet) {
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) servlet.getClass();
        return Servlets.servlet(name, type, new ImmediateInstanceFactory<>(servlet));
    }
}
