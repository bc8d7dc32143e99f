package io.servletbridge.tests.demo;

import io.servletbridge.examples.demo.ShopSeed;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The report's rows worked out in plain Java from the rows the demo seeds, apart from its SQL: a report that
 * matches these read what was inserted. Rows have the report's JSON shape (integers as longs).
 */
final class ShopExpectations {
    private static final Map<Integer, ShopSeed.Product> PRODUCTS = ShopSeed.productRows().stream()
            .collect(Collectors.toMap(ShopSeed.Product::id, Function.identity()));

    private ShopExpectations() {
    }

    static List<Map<String, Object>> topCustomers() {
        List<Map<String, Object>> rows = new ArrayList<>();
        ShopSeed.customerRows().stream()
                .filter(c -> orderCount(c) > 0)
                .sorted(Comparator.comparingLong(ShopExpectations::spent).reversed()
                        .thenComparingInt(ShopSeed.Customer::id))
                .limit(5)
                .forEach(c -> rows.add(row("customer", c.name(), "city", c.city(), "orders", orderCount(c),
                        "spent_cents", spent(c))));
        return rows;
    }

    static List<Map<String, Object>> salesByCategory() {
        Map<String, long[]> byCategory = new TreeMap<>();
        for (ShopSeed.Order o : ShopSeed.orderRows()) {
            ShopSeed.Product p = PRODUCTS.get(o.productId());
            long[] sums = byCategory.computeIfAbsent(p.category(), k -> new long[2]);
            sums[0] += o.quantity();
            sums[1] += o.quantity() * p.priceCents();
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        byCategory.forEach((category, sums) -> rows.add(row("category", category, "units", sums[0],
                "revenue_cents", sums[1])));
        return rows;
    }

    static List<Map<String, Object>> ordersByMonth() {
        Map<Integer, long[]> byMonth = new TreeMap<>();
        for (ShopSeed.Order o : ShopSeed.orderRows()) {
            long[] sums = byMonth.computeIfAbsent(o.orderedOn().getMonthValue(), k -> new long[2]);
            sums[0]++;
            sums[1] += o.quantity() * PRODUCTS.get(o.productId()).priceCents();
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        byMonth.forEach((month, sums) -> rows.add(row("month", (long) month, "orders", sums[0],
                "revenue_cents", sums[1])));
        return rows;
    }

    /** Cents as the page shows money: two decimals. */
    static String money(long cents) {
        return java.math.BigDecimal.valueOf(cents, 2).toPlainString();
    }

    private static long orderCount(ShopSeed.Customer c) {
        return ShopSeed.orderRows().stream().filter(o -> o.customerId() == c.id()).count();
    }

    private static long spent(ShopSeed.Customer c) {
        return ShopSeed.orderRows().stream().filter(o -> o.customerId() == c.id())
                .mapToLong(o -> o.quantity() * PRODUCTS.get(o.productId()).priceCents()).sum();
    }

    private static Map<String, Object> row(Object... keysAndValues) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            row.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return row;
    }
}
