package io.servletbridge.examples.demo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The demo shop: an H2 in-memory database of its own, seeded from {@link ShopSeed}, queried with plain blocking
 * JDBC through a {@link ConnectionPool}.
 */
final class ShopDatabase implements AutoCloseable {
    private static final int POOL_SIZE = 4;

    private final ConnectionPool pool;
    private final Duration queryLatency;

    /** The rows one query returned, and when it ran relative to the report's start. */
    record QueryResult(String name, List<Map<String, Object>> rows, long startedMs, long tookMs, String thread) {
    }

    private ShopDatabase(ConnectionPool pool, Duration queryLatency) {
        this.pool = pool;
        this.queryLatency = queryLatency;
    }

    /**
     * Creates and seeds a fresh database. Each instance gets a unique name, so servers started side by side in
     * one JVM (the tests do) never share rows; {@code DB_CLOSE_DELAY=-1} keeps it alive between connections until
     * {@link #close()}.
     */
    static ShopDatabase open(Duration queryLatency) throws SQLException, InterruptedException {
        String url = "jdbc:h2:mem:shop-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        ConnectionPool pool = new ConnectionPool(url, POOL_SIZE, Duration.ofSeconds(10));
        ShopDatabase db = new ShopDatabase(pool, queryLatency);
        try {
            pool.with(ShopDatabase::createAndSeed);
        } catch (SQLException | InterruptedException | RuntimeException e) {
            pool.close();
            throw e;
        }
        return db;
    }

    private static Void createAndSeed(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(80) NOT NULL, city VARCHAR(40))");
            s.execute("CREATE TABLE products (id INT PRIMARY KEY, name VARCHAR(80) NOT NULL,"
                    + " category VARCHAR(40) NOT NULL, price_cents BIGINT NOT NULL)");
            s.execute("CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT NOT NULL REFERENCES customers(id),"
                    + " product_id INT NOT NULL REFERENCES products(id), quantity INT NOT NULL,"
                    + " ordered_on DATE NOT NULL)");
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO customers VALUES (?, ?, ?)")) {
            for (ShopSeed.Customer row : ShopSeed.customerRows()) {
                p.setInt(1, row.id());
                p.setString(2, row.name());
                p.setString(3, row.city());
                p.addBatch();
            }
            p.executeBatch();
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO products VALUES (?, ?, ?, ?)")) {
            for (ShopSeed.Product row : ShopSeed.productRows()) {
                p.setInt(1, row.id());
                p.setString(2, row.name());
                p.setString(3, row.category());
                p.setLong(4, row.priceCents());
                p.addBatch();
            }
            p.executeBatch();
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO orders VALUES (?, ?, ?, ?, ?)")) {
            for (ShopSeed.Order row : ShopSeed.orderRows()) {
                p.setInt(1, row.id());
                p.setInt(2, row.customerId());
                p.setInt(3, row.productId());
                p.setInt(4, row.quantity());
                p.setObject(5, row.orderedOn());
                p.addBatch();
            }
            p.executeBatch();
        }
        return null;
    }

    /**
     * Runs one query on the calling thread, blocking it the way a servlet's JDBC code does.
     *
     * @param reportStart {@link System#nanoTime()} when the report began, so the result says when it started
     */
    QueryResult run(ReportQuery query, long reportStart) throws SQLException, InterruptedException {
        return pool.with(c -> {
            long start = System.nanoTime();
            // The whole database is in memory and answers in well under a millisecond; a real one is a network
            // round trip away. The pause makes that visible, so the report can show its queries overlapping.
            Thread.sleep(queryLatency.toMillis());
            List<Map<String, Object>> rows = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query.sql())) {
                ResultSetMetaData meta = rs.getMetaData();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= meta.getColumnCount(); i++) {
                        row.put(meta.getColumnLabel(i).toLowerCase(Locale.ROOT), rs.getObject(i));
                    }
                    rows.add(row);
                }
            }
            long end = System.nanoTime();
            return new QueryResult(query.name(), rows, (start - reportStart) / 1_000_000, (end - start) / 1_000_000,
                    Thread.currentThread().getName());
        });
    }

    /** Drops the in-memory database and closes the pool's connections. */
    @Override
    public void close() {
        try {
            pool.with(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("SHUTDOWN");
                }
                return null;
            });
        } catch (SQLException e) {
            // Already gone; closing the connections below is all that is left to do.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            pool.close();
        }
    }
}
