package io.tessera.agent.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Every parser against the real captures in fixtures/real and Tessera's own in fixtures/own. */
class ParsersOnCapturesTest {
    @Test
    void h100CsvWithHeaderAndUnits() {
        for (String f : List.of("real/nvidia-h100-query-gpu-header-units.csv", "real/nvidia-h100-query-gpu-header-units-load.csv")) {
            Parsed p = NvidiaCsvParser.parse(Fixtures.text(f));
            assertThat(p.problems()).as(f).isEmpty();
            GpuReading g = p.readings().get(0);
            assertThat(p.readings()).hasSize(1);
            assertThat(g.index()).isZero();
            assertThat(g.rawName()).isEqualTo("NVIDIA H100 80GB HBM3");
            assertThat(g.uuid()).startsWith("GPU-");
            assertThat(g.memoryMiB()).isEqualTo(81559);
            assertThat(g.temperatureC()).isPositive();
            assertThat(g.powerW()).isPositive();
            assertThat(g.healthProblem()).isNull();
            assertThat(g.unavailable()).isNull();
        }
    }

    @Test
    void h100PlainQueryReport() {
        Parsed p = NvidiaTextParser.parse(Fixtures.text("real/nvidia-h100-q.txt"));
        assertThat(p.problems()).isEmpty();
        GpuReading g = p.readings().get(0);
        assertThat(g.rawName()).isEqualTo("NVIDIA H100 80GB HBM3");
        assertThat(g.uuid()).isEqualTo("GPU-00000000-0000-0000-0000-000000000000");
        assertThat(g.memoryMiB()).isEqualTo(81559);
        assertThat(g.memoryUsedMiB()).isEqualTo(0);
        assertThat(g.utilization()).isEqualTo(0);
        assertThat(g.temperatureC()).isEqualTo(41);
        assertThat(g.powerW()).isEqualTo(69.62);
        assertThat(g.healthProblem()).isNull();
        assertThat(g.unavailable()).isNull();
    }

    @Test
    void a100XmlInMigModeReadsTheGpuNotItsMigSlices() {
        Parsed p = NvidiaXmlParser.parse(Fixtures.text("real/nvidia-a100-sxm4-q-x.xml"));
        assertThat(p.problems()).isEmpty();
        assertThat(p.readings()).hasSize(1);
        GpuReading g = p.readings().get(0);
        assertThat(g.rawName()).isEqualTo("NVIDIA A100-SXM4-80GB");
        assertThat(g.uuid()).isEqualTo("GPU-513536b6-7d19-9063-b049-1e69664bb298");
        assertThat(g.memoryMiB()).isEqualTo(81920);
        assertThat(g.temperatureC()).isEqualTo(27);
        assertThat(g.powerW()).isEqualTo(67.03);
        assertThat(g.utilization()).isNull(); // N/A in MIG mode
        assertThat(g.healthProblem()).isNull();
        assertThat(g.unavailable()).contains("MIG");
    }

    @Test
    void eight910B3Table() {
        NpuTableParser.Table t = NpuTableParser.parse(Fixtures.text("real/npu-smi-info-8x910B3.txt"));
        // The published excerpt ends after NPU 7's name row: it is kept, without its chip figures, and said.
        assertThat(t.problems()).singleElement().asString().contains("NPU 7 without a chip row");
        assertThat(t.chips()).hasSize(8);
        assertThat(t.chips().get(7).hbmTotalMB()).isNull();
        assertThat(t.chips().get(7).health()).isEqualTo("OK");
        assertThat(t.chips()).extracting(NpuTableParser.Chip::npu).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        NpuTableParser.Chip c = t.chips().get(0);
        assertThat(c.name()).isEqualTo("910B3");
        assertThat(c.health()).isEqualTo("OK");
        assertThat(c.powerW()).isEqualTo(101.8);
        assertThat(c.temperatureC()).isEqualTo(43);
        assertThat(c.hbmUsedMB()).isEqualTo(3318);
        assertThat(c.hbmTotalMB()).isEqualTo(65536);
    }

    @Test
    void the910AMappingAndPerNpuQueries() {
        List<NpuMapParser.Mapping> m = NpuMapParser.parse(Fixtures.text("real/npu-smi-info-m-8x910A.txt"));
        assertThat(m).hasSize(8);
        assertThat(m).extracting(NpuMapParser.Mapping::logicId).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(m.get(0).name()).isEqualTo("Ascend 910A");
        assertThat(NpuMapParser.keyValues(Fixtures.text("real/npu-smi-info-t-usages-910A.txt")))
                .containsEntry("HBM Capacity(MB)", "31129").containsEntry("Aicore Usage Rate(%)", "0");
        assertThat(NpuMapParser.keyValues(Fixtures.text("real/npu-smi-info-t-health-910A.txt")))
                .containsEntry("Health Status", "OK");
        assertThat(NpuTableParser.parse(Fixtures.text("real/npu-smi-info-910A-empty.txt")).chips()).isEmpty();
    }

    @Test
    void multiChip910CTable() {
        NpuTableParser.Table t = NpuTableParser.parse(Fixtures.text("own/npu-smi-info-4x910C.txt"));
        assertThat(t.problems()).isEmpty();
        assertThat(t.chips()).hasSize(8);
        assertThat(t.chips()).extracting(c -> c.npu() + "/" + c.chip())
                .containsExactly("0/0", "0/1", "1/0", "1/1", "2/0", "2/1", "3/0", "3/1");
        assertThat(t.chips().get(4).health()).isEqualTo("Warning");
        List<NpuMapParser.Mapping> m = NpuMapParser.parse(Fixtures.text("own/npu-smi-info-m-4x910C.txt"));
        assertThat(m).hasSize(8); // the MCU rows have no logic id
        assertThat(m.get(5).logicId()).isEqualTo(5);
    }

    @Test
    void brokenOutputsGiveProblemsNotExceptions() {
        assertThat(NvidiaCsvParser.parse("").problems()).isNotEmpty();
        assertThat(NvidiaCsvParser.parse("garbage\n,,,\n").readings()).isEmpty();
        String truncated = Fixtures.text("own/nvidia-8xh20-noheader-nounits.csv");
        Parsed p = NvidiaCsvParser.parse(truncated.substring(0, truncated.length() / 2));
        assertThat(p.readings()).isNotEmpty();
        assertThat(p.problems()).anyMatch(s -> s.contains("malformed"));
        assertThat(NvidiaXmlParser.parse("<nvidia_smi_log><gpu>").problems()).isNotEmpty();
        assertThat(NvidiaXmlParser.parse("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>").readings())
                .isEmpty();
        assertThat(NvidiaTextParser.parse("nothing here").problems()).isNotEmpty();
        assertThat(NpuTableParser.parse("| 0 | 0000:C1:00.0 | 1 2 |").problems()).isNotEmpty();
    }
}
