package io.tessera.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.agent.detect.Fixtures;
import io.tessera.config.Documents;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code tessera detect}: inventory JSON on stdout, problems on stderr, exit 0 whenever detection ran. */
class DetectCommandTest {
    @TempDir
    Path dir;

    private String[] run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int exit = new CommandLine(new AgentCli()).execute(args);
            return new String[] {Integer.toString(exit), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void printsTheInventoryAndTheProblemsApart() throws Exception {
        Path csv = Fixtures.file(dir, "own/nvidia-mixed-unknown-mig.csv");
        Path smi = Fixtures.tool(dir, "nvidia-smi", "cat '" + csv + "'");
        Path cfg = dir.resolve("agent.yaml");
        Files.writeString(cfg, "node: n1\ndevices:\n  - {source: nvidia, command: " + smi + "}\n"
                + "  - {source: plugin, command: " + dir.resolve("missing-plugin") + "}\n");
        String[] r = run("detect", "--config", cfg.toString());
        assertThat(r[0]).isEqualTo("0");
        JsonNode inv = Documents.parseJson(r[1].getBytes(StandardCharsets.UTF_8));
        assertThat(inv.get("devices")).hasSize(2);
        assertThat(inv.get("devices").get(0).get("rawName").asText()).isEqualTo("NVIDIA A100-SXM4-80GB");
        assertThat(inv.get("devices").get(0).get("healthy").asBoolean()).isFalse();
        assertThat(inv.get("devices").get(1).get("chipType").asText()).isEqualTo("unknown");
        assertThat(r[2]).contains("malformed", "Quantum Flux 9000", "missing-plugin");
    }

    @Test
    void findingNothingIsStillASuccessfulRun() {
        String[] r = run("detect");
        assertThat(r[0]).isEqualTo("0");
        assertThat(r[1]).contains("\"devices\"");
    }

    @Test
    void anUnusableConfigExits2() throws Exception {
        Path cfg = dir.resolve("agent.yaml");
        Files.writeString(cfg, "node: n1\ndevices: {source: quantum}\n");
        String[] r = run("detect", "--config", cfg.toString());
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[2]).contains("quantum");
    }
}
