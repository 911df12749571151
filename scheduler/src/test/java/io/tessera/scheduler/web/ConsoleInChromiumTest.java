package io.tessera.scheduler.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tessera.scheduler.e2e.TestCluster;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The web console people act in, in Debian's headless Chromium driven by Selenium through Debian's
 * chromedriver, against a real scheduler and agent (regression: the page was a read-only status
 * board): an engineer logs in, writes a job in the editor, checks it against the dry run, submits
 * it, watches its loss curve grow and its log follow, cancels it and resubmits it, and finds it by
 * search; an admin drains a node from the nodes page. No console message, exception or policy
 * violation. Screenshots land in target/web for review. Chromium or chromedriver missing fails
 * under CI ({@code TESSERA_REQUIRE_CHROMIUM=1}) and skips elsewhere.
 */
class ConsoleInChromiumTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    private static final String JOB = "name: console-job\ncommand: [sh, -c, 'i=0; while [ $i -lt 900 ]; do i=$((i+1)); "
            + "echo \"TESSERA_PROGRESS step=$i total=900 loss=$((5000 / i)) samples_per_sec=$((20 + i % 3))\"; sleep 0.2; done']\n"
            + "shards: 2\ndevicesPerShard: 1\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 8\n";
    @TempDir
    Path dir;

    private static WebDriver chromium(Path profile) {
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1000",
                        "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private static Object js(WebDriver d, String script, Object... args) {
        return ((JavascriptExecutor) d).executeScript(script, args);
    }

    private static boolean truthy(WebDriver d, String expression) {
        try {
            return Boolean.TRUE.equals(js(d, "return !!(" + expression + ");"));
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static void screenshot(WebDriver d, String name) throws Exception {
        File png = ((ChromeDriver) d).getScreenshotAs(OutputType.FILE);
        Path shot = Path.of("target", "web", name + ".png");
        Files.createDirectories(shot.getParent());
        Files.copy(png.toPath(), shot, StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.size(shot)).as("a painted page").isGreaterThan(20_000);
    }

    private static void logIn(WebDriver d, String url, String token) {
        d.get(url + "/");
        await().atMost(Duration.ofSeconds(20)).until(() -> truthy(d, "!document.getElementById('login').hidden"));
        d.findElement(By.id("token")).sendKeys(token);
        click(d, By.id("login-button"));
        await().atMost(Duration.ofSeconds(20)).until(() -> truthy(d, "!document.getElementById('view').hidden"));
    }

    private static String shownJob(WebDriver d) {
        return String.valueOf(js(d, "return decodeURIComponent(location.hash.slice(7));"));
    }

    /** Clicks what {@code by} finds, as a person would; again if the page replaced it in between. */
    private static void click(WebDriver d, By by) {
        await().atMost(Duration.ofSeconds(10)).ignoreException(StaleElementReferenceException.class).until(() -> {
            d.findElement(by).click();
            return true;
        });
    }

    /** An element's text, read in the page: the page replaces its parts as it refreshes, so a held element goes stale. */
    private static String text(WebDriver d, String id) {
        return String.valueOf(js(d, "const e = document.getElementById(arguments[0]); return e ? e.innerText : '';", id));
    }

    @Test
    void anEngineerSubmitsWatchesCancelsAndResubmitsAndAnAdminDrainsANode() throws Exception {
        if ("1".equals(System.getenv("TESSERA_REQUIRE_CHROMIUM"))) {
            assertThat(CHROMIUM).as("Chromium is required under CI (apt-get install chromium)").isExecutable();
            assertThat(DRIVER).as("chromedriver is required under CI (apt-get install chromium-driver)").isExecutable();
        }
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER), "chromium or chromium-driver is not installed");
        try (TestCluster c = TestCluster.start(dir)) {
            c.agent("h20-a", "nvidia-h20", 4);
            await().atMost(Duration.ofSeconds(20)).until(() -> c.nodes().size() == 1);
            WebDriver d = chromium(Files.createDirectory(dir.resolve("profile")));
            try {
                engineer(c, d);
                admin(c, d);
                List<LogEntry> console = d.manage().logs().get(LogType.BROWSER).getAll().stream()
                        .filter(e -> !e.getMessage().contains("Failed to load resource")).toList(); // answers like a 404 on purpose
                assertThat(console).as("console messages, exceptions and policy violations").isEmpty();
            } finally {
                d.quit();
            }
        }
    }

    private static void engineer(TestCluster c, WebDriver d) throws Exception {
        logIn(d, c.url(), TestCluster.ALICE);
        click(d, By.id("nav-submit"));
        await().atMost(Duration.ofSeconds(10)).until(() -> truthy(d, "document.getElementById('editor')"));
        WebElement editor = d.findElement(By.id("editor"));
        js(d, "arguments[0].value = arguments[1];", editor, JOB);
        click(d, By.id("check-button"));
        await().atMost(Duration.ofSeconds(20)).until(() -> truthy(d, "document.getElementById('plan-shards')"));
        assertThat(text(d, "plan")).contains("h20-a", "nvidia-h20");
        click(d, By.id("submit-button"));
        await().atMost(Duration.ofSeconds(20)).until(() -> truthy(d, "location.hash.startsWith('#/jobs/job-')"));
        String id = shownJob(d);

        // the loss curve grows (a point every 5 s), and the log follows the running shard
        await().atMost(Duration.ofSeconds(60)).until(() -> truthy(d, "(() => { const l = document.querySelector("
                + "'#chart-loss polyline'); return !!l && l.getAttribute('points').split(' ').length >= 3; })()"));
        await().atMost(Duration.ofSeconds(20)).until(() -> text(d, "log").contains("TESSERA_PROGRESS step="));
        int before = text(d, "log").length();
        await().atMost(Duration.ofSeconds(20)).until(() -> text(d, "log").length() > before + 200);
        assertThat(text(d, "facts")).contains("loss=", "pace");
        assertThat(text(d, "chart-rate")).contains("nvidia", "predicted");
        screenshot(d, "console-job-running");

        click(d, By.id("cancel-button"));
        await().atMost(Duration.ofSeconds(30)).until(() -> c.job(id).get("state").asText().equals("CANCELLED"));
        await().atMost(Duration.ofSeconds(10)).until(() -> text(d, "facts").contains("CANCELLED"));
        assertThat(c.job(id).has("failure")).as("a cancelled job has no failure").isFalse();
        click(d, By.id("resubmit-button"));
        await().atMost(Duration.ofSeconds(20)).until(() -> !shownJob(d).equals(id) && shownJob(d).startsWith("job-"));
        String again = shownJob(d);
        assertThat(c.job(again).get("name").asText()).isEqualTo("console-job");
        c.sendAs(TestCluster.ALICE, "DELETE", "/v1/jobs/" + again, null, null);

        click(d, By.linkText("Jobs"));
        await().atMost(Duration.ofSeconds(10)).until(() -> truthy(d, "document.getElementById('jobs')"));
        WebElement search = d.findElement(By.id("search"));
        search.sendKeys("console");
        js(d, "arguments[0].dispatchEvent(new Event('change'));", search);
        await().atMost(Duration.ofSeconds(10)).until(() -> truthy(d, "document.querySelectorAll('#jobs tbody tr').length === 2"));
        assertThat(text(d, "jobs")).contains(id, again, "ago");
        click(d, By.id("logout"));
    }

    private static void admin(TestCluster c, WebDriver d) throws Exception {
        logIn(d, c.url(), TestCluster.ADMIN);
        click(d, By.linkText("Nodes"));
        await().atMost(Duration.ofSeconds(20)).until(() -> truthy(d, "document.querySelector('#nodes button.drain')"));
        click(d, By.cssSelector("#nodes button.drain"));
        await().atMost(Duration.ofSeconds(20)).until(() -> c.nodes().get(0).get("drained").asBoolean());
        await().atMost(Duration.ofSeconds(10)).until(() -> text(d, "nodes").contains("drained"));
        screenshot(d, "console-nodes-drained");
        click(d, By.linkText("Queues"));
        await().atMost(Duration.ofSeconds(10)).until(() -> truthy(d, "document.getElementById('queues')"));
        click(d, By.linkText("Fleet"));
        await().atMost(Duration.ofSeconds(10)).until(() -> truthy(d, "document.getElementById('chart-utilization')"));
        // The curve starts from what the scheduler kept before this page opened, and ends now.
        Object points = js(d, "const l = document.querySelector('#chart-utilization polyline');"
                + " return l ? l.getAttribute('points').trim().split(' ').length : 0;");
        assertThat(((Number) points).intValue()).as("points on the fleet's curve").isGreaterThanOrEqualTo(2);
        assertThat(text(d, "chart-utilization")).contains("kept by the scheduler").contains("nvidia");
        screenshot(d, "console-fleet");
    }
}
