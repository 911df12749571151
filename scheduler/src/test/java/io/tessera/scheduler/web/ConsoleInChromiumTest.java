package io.tessera.scheduler.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tessera.scheduler.e2e.TestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web console people act in, in Debian's headless Chromium against a real scheduler and agent
 * (regression: the page was a read-only status board): an engineer logs in, writes a job in the
 * editor, checks it against the dry run, submits it, watches its loss curve grow and its log
 * follow, cancels it and resubmits it; an admin drains a node from the nodes page. No console
 * message, exception or policy violation. Screenshots land in target/web for review. Chromium
 * missing fails under CI ({@code TESSERA_REQUIRE_CHROMIUM=1}) and skips elsewhere.
 */
class ConsoleInChromiumTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final String JOB = "name: console-job\\ncommand: [sh, -c, 'i=0; while [ $i -lt 900 ]; do i=$((i+1)); "
            + "echo \\\"TESSERA_PROGRESS step=$i total=900 loss=$((5000 / i)) samples_per_sec=$((20 + i % 3))\\\"; sleep 0.2; done']\\n"
            + "shards: 2\\ndevicesPerShard: 1\\nflopsPerSample: 1e12\\nmemoryPerShardGiB: 1\\nglobalBatch: 8\\n";
    @TempDir
    Path dir;

    private static boolean truthy(Cdp page, String js) {
        try {
            return page.eval(js).asBoolean();
        } catch (Exception e) {
            return false;
        }
    }

    private static void screenshot(Cdp page, String name) throws Exception {
        byte[] png = Base64.getDecoder().decode(page.call("Page.captureScreenshot", Map.of("format", "png")).get("data").asText());
        Path shot = Path.of("target", "web", name + ".png");
        Files.createDirectories(shot.getParent());
        Files.write(shot, png);
        assertThat(png.length).as("a painted page").isGreaterThan(20_000);
    }

    private static void logIn(Cdp page, String url, String token) throws Exception {
        page.call("Page.navigate", Map.of("url", url + "/"));
        await().atMost(Duration.ofSeconds(20)).until(() -> truthy(page,
                "!!document.getElementById('login') && !document.getElementById('login').hidden"));
        page.eval("document.getElementById('token').value = '" + token + "'; document.getElementById('login-button').click(); true");
        await().atMost(Duration.ofSeconds(20)).until(() -> truthy(page, "!document.getElementById('view').hidden"));
    }

    private static String hashJob(Cdp page) throws Exception {
        return page.eval("decodeURIComponent(location.hash.slice(7))").asText();
    }

    @Test
    void anEngineerSubmitsWatchesCancelsAndResubmitsAndAnAdminDrainsANode() throws Exception {
        if ("1".equals(System.getenv("TESSERA_REQUIRE_CHROMIUM"))) {
            assertThat(CHROMIUM).as("Chromium is required under CI (apt-get install chromium)").isExecutable();
        }
        assumeTrue(Files.isExecutable(CHROMIUM), "chromium is not installed");
        try (TestCluster c = TestCluster.start(dir)) {
            c.agent("h20-a", "nvidia-h20", 4);
            await().atMost(Duration.ofSeconds(20)).until(() -> c.nodes().size() == 1);
            try (Cdp page = Cdp.launch(CHROMIUM, Files.createDirectory(dir.resolve("profile")))) {
                logIn(page, c.url(), TestCluster.ALICE);
                page.eval("location.hash = '#/submit'; true");
                await().atMost(Duration.ofSeconds(10)).until(() -> truthy(page, "!!document.getElementById('editor')"));
                page.eval("document.getElementById('editor').value = \"" + JOB + "\"; document.getElementById('check-button').click(); true");
                await().atMost(Duration.ofSeconds(20)).until(() -> truthy(page, "!!document.getElementById('plan-shards')"));
                assertThat(page.eval("document.getElementById('plan').innerText").asText()).contains("h20-a", "nvidia-h20");
                page.eval("document.getElementById('submit-button').click(); true");
                await().atMost(Duration.ofSeconds(20)).until(() -> truthy(page, "location.hash.startsWith('#/jobs/job-')"));
                String id = hashJob(page);

                // the loss curve grows (a point every 5 s), and the log follows the running shard
                await().atMost(Duration.ofSeconds(60)).until(() -> truthy(page, "(() => { const l = document.querySelector("
                        + "'#chart-loss polyline'); return !!l && l.getAttribute('points').split(' ').length >= 3; })()"));
                await().atMost(Duration.ofSeconds(20)).until(() -> truthy(page,
                        "document.getElementById('log').textContent.includes('TESSERA_PROGRESS step=')"));
                int before = page.eval("document.getElementById('log').textContent.length").asInt();
                await().atMost(Duration.ofSeconds(20)).until(() -> page.eval("document.getElementById('log').textContent.length")
                        .asInt() > before + 200);
                assertThat(page.eval("document.getElementById('facts').innerText").asText()).contains("loss=", "pace");
                assertThat(page.eval("document.getElementById('chart-rate').innerText").asText()).contains("nvidia", "predicted");
                screenshot(page, "console-job-running");

                page.eval("document.getElementById('cancel-button').click(); true");
                await().atMost(Duration.ofSeconds(30)).until(() -> c.job(id).get("state").asText().equals("CANCELLED"));
                await().atMost(Duration.ofSeconds(10)).until(() -> truthy(page,
                        "document.getElementById('facts').innerText.includes('CANCELLED')"));
                assertThat(c.job(id).has("failure")).as("a cancelled job has no failure").isFalse();
                page.eval("document.getElementById('resubmit-button').click(); true");
                await().atMost(Duration.ofSeconds(20)).until(() -> !hashJob(page).equals(id) && hashJob(page).startsWith("job-"));
                String again = hashJob(page);
                assertThat(c.job(again).get("name").asText()).isEqualTo("console-job");
                c.sendAs(TestCluster.ALICE, "DELETE", "/v1/jobs/" + again, null, null);

                page.eval("location.hash = '#/'; true");
                await().atMost(Duration.ofSeconds(10)).until(() -> truthy(page, "!!document.getElementById('jobs')"));
                page.eval("const s = document.getElementById('search'); s.value = 'console'; "
                        + "s.dispatchEvent(new Event('input')); s.dispatchEvent(new Event('change')); true");
                await().atMost(Duration.ofSeconds(10)).until(() -> truthy(page,
                        "document.querySelectorAll('#jobs tbody tr').length === 2"));
                assertThat(page.eval("document.getElementById('jobs').innerText").asText()).contains(id, again, "ago");

                page.eval("document.getElementById('logout').click(); true");
                logIn(page, c.url(), TestCluster.ADMIN);
                page.eval("location.hash = '#/nodes'; true");
                await().atMost(Duration.ofSeconds(20)).until(() -> truthy(page, "!!document.querySelector('#nodes button.drain')"));
                page.eval("document.querySelector('#nodes button.drain').click(); true");
                await().atMost(Duration.ofSeconds(20)).until(() -> c.nodes().get(0).get("drained").asBoolean());
                await().atMost(Duration.ofSeconds(10)).until(() -> truthy(page,
                        "document.getElementById('nodes').innerText.includes('drained')"));
                screenshot(page, "console-nodes-drained");
                page.eval("location.hash = '#/queues'; true");
                await().atMost(Duration.ofSeconds(10)).until(() -> truthy(page, "!!document.getElementById('queues')"));
                page.eval("location.hash = '#/fleet'; true");
                await().atMost(Duration.ofSeconds(10)).until(() -> truthy(page, "!!document.getElementById('chart-utilization')"));
                assertThat(page.console).as("console messages, exceptions and policy violations").isEmpty();
            }
        }
    }
}
