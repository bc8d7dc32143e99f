package io.servletbridge.examples.demo;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The rows the demo's shop database starts with: 40 customers, 12 products and 300 orders in 2025.
 *
 * <p>The rows come from a fixed-seed {@link Random}, whose algorithm the JDK specifies, so every run (and every
 * test that recomputes the report from these lists) sees the same shop.
 */
public final class ShopSeed {
    private static final String[] FIRST = {"Ada", "Ben", "Chloe", "Dev", "Elif", "Farid", "Grace", "Hugo"};
    private static final String[] LAST = {"Moreau", "Okafor", "Schmidt", "Tanaka", "Varga"};
    private static final String[] CITIES = {"Lyon", "Lagos", "Leipzig", "Osaka", "Szeged"};
    private static final List<Product> PRODUCTS = List.of(
            new Product(1, "Espresso beans 1 kg", "coffee", 2490),
            new Product(2, "Filter beans 500 g", "coffee", 1390),
            new Product(3, "Decaf 250 g", "coffee", 890),
            new Product(4, "Hand grinder", "equipment", 6900),
            new Product(5, "Pour-over kettle", "equipment", 4850),
            new Product(6, "Moka pot", "equipment", 3200),
            new Product(7, "Ceramic mug", "tableware", 1200),
            new Product(8, "Glass cup set", "tableware", 2100),
            new Product(9, "Saucer", "tableware", 450),
            new Product(10, "Paper filters x100", "supplies", 520),
            new Product(11, "Descaler", "supplies", 980),
            new Product(12, "Cleaning brush", "supplies", 350));
    private static final List<Customer> CUSTOMERS = customers();
    private static final List<Order> ORDERS = orders();

    private ShopSeed() {
    }

    /** A customer. */
    public record Customer(int id, String name, String city) {
    }

    /** A product; prices are whole cents, so sums are exact. */
    public record Product(int id, String name, String category, long priceCents) {
    }

    /** One order line: a quantity of one product bought by one customer on one day. */
    public record Order(int id, int customerId, int productId, int quantity, LocalDate orderedOn) {
    }

    public static List<Customer> customerRows() {
        return CUSTOMERS;
    }

    public static List<Product> productRows() {
        return PRODUCTS;
    }

    public static List<Order> orderRows() {
        return ORDERS;
    }

    private static List<Customer> customers() {
        List<Customer> rows = new ArrayList<>();
        for (int i = 0; i < FIRST.length * LAST.length; i++) {
            rows.add(new Customer(i + 1, FIRST[i % FIRST.length] + " " + LAST[i / FIRST.length],
                    CITIES[i % CITIES.length]));
        }
        return List.copyOf(rows);
    }

    private static List<Order> orders() {
        Random random = new Random(2025);
        LocalDate first = LocalDate.of(2025, 1, 1);
        List<Order> rows = new ArrayList<>();
        for (int i = 1; i <= 300; i++) {
            rows.add(new Order(i, 1 + random.nextInt(CUSTOMERS.size()), 1 + random.nextInt(PRODUCTS.size()),
                    1 + random.nextInt(5), first.plusDays(random.nextInt(365))));
        }
        return List.copyOf(rows);
    }
}
