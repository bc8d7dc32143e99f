package io.servletbridge.benchmarks;

import io.servletbridge.benchmarks.servers.BridgeNettyServer;
import io.servletbridge.benchmarks.servers.BridgeUndertowServer;
import io.servletbridge.benchmarks.servers.BridgeNettyVirtualServer;
import io.servletbridge.benchmarks.servers.BridgeUndertowVirtualServer;
import io.servletbridge.benchmarks.servers.JettyServer;
import io.servletbridge.benchmarks.servers.RawNettyServer;
import io.servletbridge.benchmarks.servers.RawUndertowServer;
import io.servletbridge.benchmarks.servers.TomcatServer;
import io.servletbridge.benchmarks.servers.UndertowServletServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Each server under test: a main class the driver starts in a JVM of its own. */
enum ServerKind {
    RAW_NETTY("raw-netty", RawNettyServer.class, true, 0),
    RAW_UNDERTOW("raw-undertow", RawUndertowServer.class, true, 0),
    BRIDGE_NETTY("bridge-netty", BridgeNettyServer.class, false, 0),
    BRIDGE_NETTY_VIRTUAL("bridge-netty-vt", BridgeNettyVirtualServer.class, false, 21),
    BRIDGE_UNDERTOW("bridge-undertow", BridgeUndertowServer.class, false, 0),
    BRIDGE_UNDERTOW_VIRTUAL("bridge-undertow-vt", BridgeUndertowVirtualServer.class, false, 21),
    TOMCAT("tomcat", TomcatServer.class, false, 0),
    JETTY("jetty", JettyServer.class, false, 0),
    UNDERTOW_SERVLET("undertow-servlet", UndertowServletServer.class, false, 0);

    final String id;
    final Class<?> mainClass;
    /** Raw loops have no servlet layer; their 20 ms delay is a loop timer, not a blocked thread. */
    final boolean raw;
    private final int minimumJdk;

    ServerKind(String id, Class<?> mainClass, boolean raw, int minimumJdk) {
        this.id = id;
        this.mainClass = mainClass;
        this.raw = raw;
        this.minimumJdk = minimumJdk;
    }

    /** Why this server cannot run on the JVM at hand, or null when it can. */
    String skipReason() {
        int jdk = Runtime.version().feature();
        return jdk < minimumJdk ? "skipped: needs JDK " + minimumJdk + "+, this is JDK " + jdk : null;
    }

    static List<ServerKind> parse(String csv) {
        List<ServerKind> out = new ArrayList<>();
        for (String id : csv.split(",")) {
            out.add(of(id.trim()));
        }
        return List.copyOf(out);
    }

    static ServerKind of(String id) {
        for (ServerKind k : values()) {
            if (k.id.equals(id.toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown server '" + id + "'; known: " + ids());
    }

    static String ids() {
        return Stream.of(values()).map(k -> k.id).collect(Collectors.joining(","));
    }
}
