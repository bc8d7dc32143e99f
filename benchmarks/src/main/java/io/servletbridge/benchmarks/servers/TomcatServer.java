package io.servletbridge.benchmarks.servers;

import io.servletbridge.benchmarks.servlets.BenchApp;
import io.servletbridge.benchmarks.servlets.StaticSite;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/** Embedded Tomcat 10.1 on its default NIO connector. */
public final class TomcatServer {
    private TomcatServer() {
    }

    public static void main(String[] args) throws LifecycleException, java.io.IOException {
        Tomcat tomcat = new Tomcat();
        Path base = Files.createTempDirectory("bench-tomcat");
        base.toFile().deleteOnExit();
        tomcat.setBaseDir(base.toString());

        Connector connector = new Connector("HTTP/1.1");
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("maxThreads", Integer.toString(BenchApp.workers()));
        connector.setProperty("acceptCount", "4096");
        // Tomcat's defaults would skew the comparison: it closes a keep-alive connection after 100 requests (wrk
        // then pays reconnects nobody else pays) and stops accepting at 8192 connections (the idle workload).
        connector.setProperty("maxKeepAliveRequests", "-1");
        connector.setProperty("maxConnections", "-1");
        tomcat.getService().addConnector(connector);
        tomcat.setConnector(connector);

        Context ctx = tomcat.addContext("", StaticSite.directory().toString());
        for (BenchApp.Mapping m : BenchApp.mappings()) {
            Tomcat.addServlet(ctx, m.name(), m.servlet());
            ctx.addServletMappingDecoded(m.path(), m.name());
        }
        // Tomcat's own DefaultServlet, as a WAR gets it: sendfile for files over 48 KiB on the NIO connector.
        Tomcat.addServlet(ctx, "default", new org.apache.catalina.servlets.DefaultServlet());
        ctx.addServletMappingDecoded("/", "default");
        Tomcat.addDefaultMimeTypeMappings(ctx);
        tomcat.start();
        ServerMain.serveUntilDriverGoes(connector.getLocalPort());
    }
}
