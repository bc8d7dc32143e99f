package io.servletbridge.benchmarks.soak;

import java.io.IOException;

/** One simulated client: a keep-alive connection it reuses, reopened when the server closed it. */
final class Client implements AutoCloseable {
    private final int port;
    private Connection keepAlive;

    Client(int port) {
        this.port = port;
    }

    /** The persistent connection, opened when there is none. */
    Connection keepAlive() throws IOException {
        if (keepAlive == null) {
            keepAlive = new Connection(port);
        }
        return keepAlive;
    }

    /** Sends a request without a body on the persistent connection and reads the response. */
    Connection.Response send(String request, int keepUpTo, long slowPause) throws IOException {
        return finish(keepAlive().send(request, keepUpTo, slowPause));
    }

    /** A connection of its own, for requests that end it. */
    Connection fresh() throws IOException {
        return new Connection(port);
    }

    /** Notes a response read on the persistent connection: a closing one means the next request reconnects. */
    Connection.Response finish(Connection.Response resp) {
        if (resp.closes()) {
            drop();
        }
        return resp;
    }

    /** Forgets the persistent connection after a failure: its state is unknown. */
    void drop() {
        if (keepAlive != null) {
            keepAlive.close();
            keepAlive = null;
        }
    }

    @Override
    public void close() {
        drop();
    }
}
