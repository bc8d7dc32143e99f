package io.servletbridge.benchmarks.servers;

import java.io.IOException;
import java.io.InputStream;

/** What every benchmark server does once it listens: tell the driver its port, then live as long as the driver. */
public final class ServerMain {
    /** The driver waits for this line on the server's output. */
    static final String READY = "LISTENING ";

    private ServerMain() {
    }

    /**
     * Announces the port and blocks until standard input closes. The driver holds the other end of that pipe, so a
     * server can never outlive a driver that crashed or was killed, even with SIGKILL.
     */
    public static void serveUntilDriverGoes(int port) {
        System.out.println(READY + port);
        System.out.flush();
        InputStream in = System.in;
        try {
            while (in.read() != -1) {
                // the driver never writes; anything it sends is ignored
            }
        } catch (IOException ignored) {
            // a broken pipe means the same as EOF
        }
        System.exit(0);
    }

    /** Loop threads: {@code -Dbench.ioThreads}, by default one per core. */
    public static int ioThreads() {
        return Integer.getInteger("bench.ioThreads", Runtime.getRuntime().availableProcessors());
    }
}
