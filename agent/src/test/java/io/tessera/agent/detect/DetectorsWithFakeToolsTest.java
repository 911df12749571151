package io.tessera.agent.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.ChipCatalog;
import io.tessera.config.wire.DeviceReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real detectors and the real process runner against fake vendor tools first on the search path. */
class DetectorsWithFakeToolsTest {
    private static final ChipCatalog CATALOG = ChipCatalog.builtIn();
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    @TempDir
    Path dir;

    private CommandRunner runner() {
        return new ProcessCommandRunner(dir + ":" + System.getenv("PATH"));
    }

    private Inventory nvidia() {
        return new NvidiaSmiDetector(runner(), "nvidia-smi", TIMEOUT, CATALOG).detect();
    }

    private Path xml() {
        return Fixtures.file(dir, "real/nvidia-a100-sxm4-q-x.xml");
    }

    private Path text() {
        return Fixtures.file(dir, "real/nvidia-h100-q.txt");
    }

    @Test
    void eightH20sWithAnEccFailure() {
        Fixtures.nvidiaSmi(dir, "cat '" + Fixtures.file(dir, "own/nvidia-8xh20-noheader-nounits.csv") + "'", xml(), text());
        Inventory inv = nvidia();
        assertThat(inv.failed()).isFalse();
        assertThat(inv.devices()).hasSize(8).allSatisfy(d -> assertThat(d.chipType()).isEqualTo("nvidia-h20"));
        DeviceReport sick = inv.devices().get(3);
        assertThat(sick.healthy()).isFalse();
        assertThat(sick.problem()).contains("2 uncorrected ECC errors");
        assertThat(inv.devices().stream().filter(DeviceReport::healthy)).hasSize(7);
        assertThat(inv.devices().get(2).powerW()).isNull();
        assertThat(inv.devices().get(0).memoryGiB()).isEqualTo(95.58);
        assertThat(inv.devices().get(0).utilizationPercent()).isEqualTo(35);
    }

    @Test
    void migUnknownModelsAndTruncatedLinesGiveAPartialInventory() {
        Fixtures.nvidiaSmi(dir, "cat '" + Fixtures.file(dir, "own/nvidia-mixed-unknown-mig.csv") + "'", xml(), text());
        Inventory inv = nvidia();
        assertThat(inv.devices()).hasSize(2);
        assertThat(inv.devices().get(0).healthy()).isFalse();
        assertThat(inv.devices().get(0).problem()).contains("MIG");
        assertThat(inv.devices().get(1).chipType()).isEqualTo(DeviceReport.UNKNOWN_CHIP);
        assertThat(inv.devices().get(1).rawName()).isEqualTo("NVIDIA Quantum Flux 9000");
        assertThat(inv.problems()).anyMatch(p -> p.contains("Quantum Flux 9000") && p.contains("not in the chip catalog"))
                .anyMatch(p -> p.contains("malformed"));
    }

    @Test
    void anUnsupportedFieldFallsBackToTheXmlReport() {
        Fixtures.nvidiaSmi(dir, "echo 'Field \"mig.mode.current\" is not a valid field to query.'; exit 2", xml(), text());
        Inventory inv = nvidia();
        assertThat(inv.devices()).singleElement().satisfies(d -> {
            assertThat(d.chipType()).isEqualTo("nvidia-a100");
            assertThat(d.memoryGiB()).isEqualTo(80);
        });
        assertThat(inv.problems()).anyMatch(p -> p.contains("trying -q -x"));
    }

    @Test
    void theDriverBeingDownIsSaidPlainly() {
        Fixtures.tool(dir, "nvidia-smi", "echo \"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA "
                + "driver. Make sure that the latest NVIDIA driver is installed and running.\"; exit 9");
        Inventory inv = nvidia();
        assertThat(inv.failed()).isTrue();
        assertThat(inv.devices()).isEmpty();
        assertThat(inv.problems()).singleElement().asString().contains("cannot reach the NVIDIA driver");
    }

    @Test
    void aHangingToolTimesOut() {
        Fixtures.tool(dir, "nvidia-smi", "sleep 30");
        Inventory inv = new NvidiaSmiDetector(runner(), "nvidia-smi", Duration.ofMillis(500), CATALOG).detect();
        assertThat(inv.failed()).isTrue();
        assertThat(inv.problems()).singleElement().asString().contains("did not answer within 500 ms");
    }

    @Test
    void aMissingToolIsNamed() {
        Inventory inv = new NvidiaSmiDetector(new ProcessCommandRunner(dir.toString()), "nvidia-smi", TIMEOUT, CATALOG)
                .detect();
        assertThat(inv.failed()).isTrue();
        assertThat(inv.problems()).singleElement().asString().contains("nvidia-smi not found");
    }

    @Test
    void nonZeroExitsAndGarbageAndEmptyOutputNeverCrash() {
        Fixtures.tool(dir, "nvidia-smi", "echo oops >&2; exit 3");
        Inventory crashed = nvidia();
        assertThat(crashed.failed()).isTrue();
        assertThat(crashed.problems()).anyMatch(p -> p.contains("exited with 3"));
        Fixtures.tool(dir, "nvidia-smi", "case \"$*\" in *query*) echo '%%% not csv %%%' ;; *) echo '<broken' ;; esac");
        assertThat(nvidia().devices()).isEmpty();
        Fixtures.tool(dir, "nvidia-smi", "exit 0");
        Inventory empty = nvidia();
        assertThat(empty.devices()).isEmpty();
        assertThat(empty.failed()).isFalse();
        assertThat(empty.problems()).anyMatch(p -> p.contains("printed nothing"));
    }

    @Test
    void eight910B3sFromTheTableWithHbmFromUsagesWhereTheTableStops() {
        Fixtures.tool(dir, "npu-smi", "case \"$*\" in\n  info) cat '" + Fixtures.file(dir, "real/npu-smi-info-8x910B3.txt")
                + "' ;;\n  \"info -t usages -i 7\") echo '\tHBM Capacity(MB)               : 65536' ;;\n  *) exit 1 ;;\nesac");
        Inventory inv = new NpuSmiDetector(runner(), "npu-smi", TIMEOUT, CATALOG).detect();
        assertThat(inv.devices()).hasSize(8).allSatisfy(d -> {
            assertThat(d.chipType()).isEqualTo("ascend-910b3");
            assertThat(d.healthy()).isTrue();
            assertThat(d.memoryGiB()).isEqualTo(64);
        });
        assertThat(inv.devices()).extracting(DeviceReport::index).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(inv.problems()).anyMatch(p -> p.contains("npu-smi info -m"));
    }

    @Test
    void the910AHostWhoseTableIsEmptyIsReadChipByChip() {
        Path usages = Fixtures.file(dir, "real/npu-smi-info-t-usages-910A.txt");
        Path health = Fixtures.file(dir, "real/npu-smi-info-t-health-910A.txt");
        Fixtures.tool(dir, "npu-smi", "case \"$*\" in\n  info) cat '" + Fixtures.file(dir, "real/npu-smi-info-910A-empty.txt")
                + "' ;;\n  \"info -m\") cat '" + Fixtures.file(dir, "real/npu-smi-info-m-8x910A.txt") + "' ;;\n"
                + "  *usages*) cat '" + usages + "' ;;\n  *health*) cat '" + health + "' ;;\n  *) exit 1 ;;\nesac");
        Inventory inv = new NpuSmiDetector(runner(), "npu-smi", TIMEOUT, CATALOG).detect();
        assertThat(inv.devices()).hasSize(8).allSatisfy(d -> {
            assertThat(d.chipType()).isEqualTo("ascend-910a");
            assertThat(d.rawName()).isEqualTo("Ascend 910A");
            assertThat(d.memoryGiB()).isEqualTo(30.4);
            assertThat(d.healthy()).isTrue();
        });
    }

    @Test
    void every910CChipIsADeviceAndAWarningMakesItsChipsUnhealthy() {
        Fixtures.tool(dir, "npu-smi", "case \"$*\" in\n  info) cat '" + Fixtures.file(dir, "own/npu-smi-info-4x910C.txt")
                + "' ;;\n  \"info -m\") cat '" + Fixtures.file(dir, "own/npu-smi-info-m-4x910C.txt") + "' ;;\n  *) exit 1 ;;\nesac");
        Inventory inv = new NpuSmiDetector(runner(), "npu-smi", TIMEOUT, CATALOG).detect();
        assertThat(inv.devices()).hasSize(8).allSatisfy(d -> assertThat(d.chipType()).isEqualTo("ascend-910c"));
        assertThat(inv.devices()).extracting(DeviceReport::index).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(inv.devices()).filteredOn(d -> !d.healthy()).extracting(DeviceReport::index).containsExactly(4, 5);
        assertThat(inv.devices().get(4).problem()).contains("Warning");
        assertThat(inv.devices().get(0).memoryGiB()).isEqualTo(64);
    }

    @Test
    void theExecPluginContract() {
        Path json = Fixtures.file(dir, "own/plugin-acme.json");
        Path plugin = Fixtures.tool(dir, "acme-inventory", "cat '" + json + "'");
        Inventory inv = new ExecPluginDetector(runner(), plugin.toString(), TIMEOUT, CATALOG).detect();
        assertThat(inv.devices()).hasSize(3).allSatisfy(d -> {
            assertThat(d.chipType()).isEqualTo("acme-tpx1");
            assertThat(d.visibilityEnv()).isEqualTo("ACME_VISIBLE_DEVICES");
        });
        assertThat(inv.devices().get(1).healthy()).isFalse();
        assertThat(inv.devices().get(1).problem()).isEqualTo("link training failed on port 3");
        assertThat(inv.devices().get(0).temperatureC()).isEqualTo(51);
        assertThat(inv.problems()).anyMatch(p -> p.contains("device 3 needs an integer index"));
        Fixtures.tool(dir, "acme-inventory", "echo '{not json'");
        assertThat(new ExecPluginDetector(runner(), plugin.toString(), TIMEOUT, CATALOG).detect().failed()).isTrue();
    }

    @Test
    void theShippedExamplePluginHonoursTheContract() {
        String plugin = Path.of("../examples/plugin/acme-inventory").toAbsolutePath().toString();
        Inventory inv = new ExecPluginDetector(runner(), plugin, TIMEOUT, CATALOG).detect();
        assertThat(inv.problems()).isEmpty();
        assertThat(inv.devices()).hasSize(2).allSatisfy(d -> {
            assertThat(d.chipType()).isEqualTo("acme-tpx1");
            assertThat(d.healthy()).isTrue();
        });
    }

    @Test
    void devicesOfAToolThatStopsAnsweringTurnUnhealthyAndComeBack() {
        Path csv = Fixtures.file(dir, "own/nvidia-8xh20-noheader-nounits.csv");
        Fixtures.nvidiaSmi(dir, "cat '" + csv + "'", xml(), text());
        CompositeDetector composite = new CompositeDetector(List.of(
                new NvidiaSmiDetector(runner(), "nvidia-smi", Duration.ofMillis(800), CATALOG)));
        assertThat(composite.detect().devices()).filteredOn(DeviceReport::healthy).hasSize(7);
        Fixtures.tool(dir, "nvidia-smi", "sleep 30");
        Inventory hung = composite.detect();
        assertThat(hung.devices()).hasSize(8).noneMatch(DeviceReport::healthy);
        assertThat(hung.devices().get(0).problem()).contains("stopped answering");
        Fixtures.nvidiaSmi(dir, "cat '" + csv + "'", xml(), text());
        assertThat(composite.detect().devices()).filteredOn(DeviceReport::healthy).hasSize(7);
    }
}
