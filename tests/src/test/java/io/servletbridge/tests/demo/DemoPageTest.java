package io.servletbridge.tests.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.servletbridge.Loop;
import io.servletbridge.examples.demo.DemoOptions;
import io.servletbridge.tests.BothLoops;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The demo page in headless Chromium: each button, and what a person would then see. Uses Debian's chromium and
 * chromium-driver packages at fixed paths, so Selenium Manager never needs to download a browser or driver.
 */
class DemoPageTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final DemoOptions OPTIONS = DemoOptions.defaults()
            .withQueryLatency(Duration.ofMillis(100))
            .withStandInDelay(Duration.ofMillis(150));

    private static Path profile;
    private static WebDriver browser;

    @BeforeAll
    static void startBrowser() throws IOException {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "the page tests need Debian's chromium and chromium-driver (" + CHROMIUM + ", " + CHROMEDRIVER
                        + "): apt-get install -y chromium chromium-driver (.ci/run does this)");
        profile = Files.createTempDirectory("demo-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stopBrowser() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (profile != null) {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @BothLoops
    void runReportShowsTheSeededNumbersInTables(Loop loop) {
        try (RunningDemo demo = RunningDemo.start(loop, OPTIONS)) {
            browser.get(demo.uri("/").toString());
            browser.findElement(By.id("run-report")).click();
            waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.visibilityOfElementLocated(By.id("report")));

            List<Map<String, Object>> top = ShopExpectations.topCustomers();
            List<List<String>> shownTop = rows("top-customers");
            assertEquals(top.size(), shownTop.size());
            for (int i = 0; i < top.size(); i++) {
                Map<String, Object> want = top.get(i);
                assertEquals(List.of(want.get("customer"), want.get("city"), want.get("orders").toString(),
                        ShopExpectations.money((Long) want.get("spent_cents"))), shownTop.get(i));
            }
            List<List<String>> shownCategories = rows("sales-by-category");
            List<Map<String, Object>> categories = ShopExpectations.salesByCategory();
            assertEquals(categories.size(), shownCategories.size());
            for (int i = 0; i < categories.size(); i++) {
                Map<String, Object> want = categories.get(i);
                assertEquals(List.of(want.get("category"), want.get("units").toString(),
                        ShopExpectations.money((Long) want.get("revenue_cents"))), shownCategories.get(i));
            }
            assertEquals(ShopExpectations.ordersByMonth().size(), rows("orders-by-month").size());
            List<List<String>> timings = rows("report-timings");
            assertEquals(List.of("top_customers", "sales_by_category", "orders_by_month"),
                    timings.stream().map(r -> r.get(0)).toList());
            assertTrue(Long.parseLong(text("report-total-ms")) >= OPTIONS.queryLatency().toMillis());
        }
    }

    @BothLoops
    void callExternalApiShowsStatusAndElapsedTime(Loop loop) {
        try (RunningDemo demo = RunningDemo.start(loop, OPTIONS)) {
            browser.get(demo.uri("/").toString());
            browser.findElement(By.id("call-external")).click();
            waitUpTo(Duration.ofSeconds(10))
                    .until(ExpectedConditions.visibilityOfElementLocated(By.id("external-result")));
            assertEquals("HTTP 200", text("external-status"));
            assertTrue(Long.parseLong(text("external-elapsed")) >= OPTIONS.standInDelay().toMillis());
            assertEquals(demo.uri("/stand-in/api").toString(), text("external-url"));
            assertTrue(text("external-body").contains("Hello from the stand-in API"), text("external-body"));
        }
    }

    @BothLoops
    void startJobFillsTheProgressBarThenShowsTheResult(Loop loop) {
        try (RunningDemo demo = RunningDemo.start(loop, OPTIONS)) {
            browser.get(demo.uri("/").toString());
            browser.findElement(By.id("start-job")).click();
            WebElement bar = waitUpTo(Duration.ofSeconds(10))
                    .until(ExpectedConditions.visibilityOfElementLocated(By.id("job-progress")));
            // The job takes about two seconds and the page polls every 200 ms: the bar is seen part-filled.
            waitUpTo(Duration.ofSeconds(10)).pollingEvery(Duration.ofMillis(20)).until(d -> {
                double value = progress(bar);
                return value > 0 && value < 100;
            });
            waitUpTo(Duration.ofSeconds(15))
                    .until(ExpectedConditions.visibilityOfElementLocated(By.id("job-result")));
            assertEquals(100.0, progress(bar));
            assertEquals("done", text("job-status"));
            assertEquals("148933", text("job-count"));
            assertEquals("2000000", text("job-limit"));
            assertEquals("1999993", text("job-largest"));
        }
    }

    private static WebDriverWait waitUpTo(Duration timeout) {
        return new WebDriverWait(browser, timeout);
    }

    private static String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    private static double progress(WebElement bar) {
        return Double.parseDouble(bar.getDomProperty("value"));
    }

    private static List<List<String>> rows(String tableId) {
        return browser.findElements(By.cssSelector("#" + tableId + " tbody tr")).stream()
                .map(tr -> tr.findElements(By.tagName("td")).stream().map(WebElement::getText).toList())
                .toList();
    }
}
