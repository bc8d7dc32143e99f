package io.servletbridge.examples.demo;

import java.util.List;

/**
 * One query of the sales report, under the name it has in the report's JSON.
 *
 * @param name a stable key, e.g. {@code top_customers}
 * @param sql  the statement; money columns are whole cents, cast to BIGINT so every engine returns integers;
 *             {@code "month"} is quoted because MONTH is a keyword in H2
 */
record ReportQuery(String name, String sql) {

    /** The report's queries; they are independent, so the report runs them all at once. */
    static final List<ReportQuery> ALL = List.of(
            new ReportQuery("top_customers", """
                    SELECT c.name AS customer, c.city AS city, COUNT(*) AS orders,
                           CAST(SUM(o.quantity * p.price_cents) AS BIGINT) AS spent_cents
                    FROM orders o
                    JOIN customers c ON c.id = o.customer_id
                    JOIN products p ON p.id = o.product_id
                    GROUP BY c.id, c.name, c.city
                    ORDER BY spent_cents DESC, c.id
                    LIMIT 5"""),
            new ReportQuery("sales_by_category", """
                    SELECT p.category AS category, CAST(SUM(o.quantity) AS BIGINT) AS units,
                           CAST(SUM(o.quantity * p.price_cents) AS BIGINT) AS revenue_cents
                    FROM orders o
                    JOIN products p ON p.id = o.product_id
                    GROUP BY p.category
                    ORDER BY p.category"""),
            new ReportQuery("orders_by_month", """
                    SELECT EXTRACT(MONTH FROM o.ordered_on) AS "month", COUNT(*) AS orders,
                           CAST(SUM(o.quantity * p.price_cents) AS BIGINT) AS revenue_cents
                    FROM orders o
                    JOIN products p ON p.id = o.product_id
                    GROUP BY EXTRACT(MONTH FROM o.ordered_on)
                    ORDER BY 1"""));
}
