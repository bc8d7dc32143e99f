package io.servletbridge.examples.demo;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A fixed set of JDBC connections, opened up front and lent out one at a time.
 *
 * <p>Just enough pool for the demo: a report's queries each borrow their own connection so they really run at the
 * same time, and a burst of reports waits for a free connection instead of opening more.
 */
final class ConnectionPool implements AutoCloseable {
    private final BlockingQueue<Connection> idle;
    private final List<Connection> all;
    private final Duration borrowTimeout;
    private volatile boolean closed;

    /** What to do with a borrowed connection. */
    @FunctionalInterface
    interface Work<T> {
        T apply(Connection connection) throws SQLException, InterruptedException;
    }

    ConnectionPool(String url, int size, Duration borrowTimeout) throws SQLException {
        this.idle = new ArrayBlockingQueue<>(size);
        this.all = new ArrayList<>(size);
        this.borrowTimeout = borrowTimeout;
        try {
            for (int i = 0; i < size; i++) {
                Connection c = DriverManager.getConnection(url);
                all.add(c);
                idle.add(c);
            }
        } catch (SQLException e) {
            close();
            throw e;
        }
    }

    /** Runs {@code work} with a connection of its own and takes the connection back afterwards. */
    <T> T with(Work<T> work) throws SQLException, InterruptedException {
        if (closed) {
            throw new SQLTransientConnectionException("The connection pool is closed");
        }
        Connection c = idle.poll(borrowTimeout.toMillis(), TimeUnit.MILLISECONDS);
        if (c == null) {
            throw new SQLTransientConnectionException("No free connection within " + borrowTimeout.toMillis() + " ms");
        }
        try {
            return work.apply(c);
        } finally {
            idle.add(c);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Connection c : all) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // Closing at shutdown: nothing useful to do with a failure.
            }
        }
    }
}
