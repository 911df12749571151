package io.tessera.scheduler.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tessera.scheduler.placement.NodeView;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulation report in a real browser: Debian's headless Chromium loads {@code report.html},
 * its DOM has the four charts, a screenshot is painted, and the browser logs no console message.
 * A control page with a script error proves the console check sees errors. Chromium missing is a
 * failure under CI ({@code TESSERA_REQUIRE_CHROMIUM=1}, set by .ci/run, which installs it) and a
 * skip elsewhere.
 */
class ReportInChromiumTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    @TempDir
    Path dir;

    private record Browsed(int exit, String dom, List<String> console) {
    }

    private static void requireChromium() {
        if ("1".equals(System.getenv("TESSERA_REQUIRE_CHROMIUM"))) {
            assertThat(CHROMIUM).as("Chromium is required under CI (apt-get install chromium)").isExecutable();
        }
        assumeTrue(Files.isExecutable(CHROMIUM), "chromium is not installed");
    }

    private Browsed browse(Path page, String... extra) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + Files.createTempDirectory(dir, "profile"),
                "--enable-logging=stderr", "--v=0"));
        cmd.addAll(List.of(extra));
        cmd.add(page.toUri().toString());
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        List<String> console = Files.readAllLines(err, StandardCharsets.UTF_8).stream()
                .filter(l -> l.contains(":CONSOLE")).toList();
        return new Browsed(p.exitValue(), Files.readString(out), console);
    }

    private Path report() throws IOException {
        List<NodeView> nodes = Sims.fleet(Sims.nodes("k", "nvidia-k80", 2, 4), Sims.nodes("v", "nvidia-v100", 2, 4));
        Workload w = Sims.workload(dir, "seed: 2\noptions: {referenceChip: nvidia-v100}\ntenants: [{queue: a}, {queue: b}]\n"
                + "queues: [{name: a}, {name: b}]\ngavel: {jobs: 60, jobsPerHour: 6}\n", nodes, Sims.CATALOG, Sims.TABLE);
        SimRecorder rec = Sims.run(nodes, w, true);
        Map<String, Object> summary = Summary.of(rec, Sims.CATALOG, "aware", 2, 0.1, 1);
        Path page = dir.resolve("report.html");
        Files.writeString(page, SimReport.html(summary, rec, Sims.CATALOG));
        return page;
    }

    @Test
    void theReportRendersItsChartsWithNoConsoleMessage() throws Exception {
        requireChromium();
        Path page = report();
        Browsed b = browse(page, "--dump-dom");
        assertThat(b.exit()).isZero();
        assertThat(b.console()).as("console messages").isEmpty();
        assertThat(b.dom().split("<svg", -1)).hasSize(5);
        assertThat(b.dom()).contains("JCT CDF (60 measured jobs)", "Queue length", "Utilization per vendor",
                "Share of normalized TFLOPS held, per queue", "<polyline");
        Path png = dir.resolve("report.png");
        Browsed shot = browse(page, "--window-size=800,2400", "--screenshot=" + png);
        assertThat(shot.exit()).isZero();
        assertThat(Files.size(png)).as("a painted page, not a blank one").isGreaterThan(20_000);
    }

    @Test
    void theConsoleCheckSeesAScriptError() throws Exception {
        requireChromium();
        Path page = dir.resolve("broken.html");
        Files.writeString(page, "<!DOCTYPE html><html><body><script>notDefined();</script></body></html>");
        assertThat(browse(page, "--dump-dom").console()).anyMatch(l -> l.contains("notDefined is not defined"));
    }
}
