package io.tessera.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChipCatalogTest {
    private final ChipCatalog catalog = ChipCatalog.builtIn();

    @Test
    void builtInHoldsTheRequiredChipsWithPublishedFigures() {
        assertThat(catalog.all()).extracting(ChipType::id).contains("ascend-910b", "ascend-910c", "nvidia-h20",
                "nvidia-a100", "nvidia-h100", "nvidia-h800", "acme-tpx1");
        ChipType h100 = catalog.byId("nvidia-h100").orElseThrow();
        assertThat(h100.tflops(Precision.BF16)).hasValue(989);
        assertThat(h100.tflops(Precision.FP8)).hasValue(1979);
        assertThat(h100.hbmGiB()).isEqualTo(80);
        assertThat(h100.memoryBandwidthTBs()).isEqualTo(3.35);
        ChipType h20 = catalog.byId("nvidia-h20").orElseThrow();
        assertThat(h20.tflops(Precision.BF16)).hasValue(148);
        assertThat(h20.tflops(Precision.FP8)).hasValue(296);
        assertThat(h20.hbmGiB()).isEqualTo(96);
        assertThat(catalog.byId("nvidia-a100").orElseThrow().supports(Precision.FP8)).isFalse();
        ChipType b = catalog.byId("ascend-910b").orElseThrow();
        assertThat(b.supports(Precision.FP8)).isFalse();
        assertThat(b.tflops(Precision.BF16).getAsDouble()).isBetween(320.0, 376.0);
        assertThat(b.visibilityEnv()).isEqualTo("ASCEND_RT_VISIBLE_DEVICES");
        ChipType c = catalog.byId("ascend-910c").orElseThrow();
        assertThat(c.hbmGiB()).isEqualTo(128);
        // Two schedulable chips per 910C package: each device gets half.
        assertThat(c.deviceHbmGiB()).isEqualTo(64);
        assertThat(c.deviceTflops(Precision.BF16)).isEqualTo(375);
        assertThat(catalog.byId("acme-tpx1").orElseThrow().visibilityEnv()).isEqualTo("ACME_VISIBLE_DEVICES");
    }

    @Test
    void resolvesVendorToolNamesExactlyAsPrinted() {
        assertThat(catalog.resolve("NVIDIA H100 80GB HBM3")).map(ChipType::id).hasValue("nvidia-h100");
        assertThat(catalog.resolve("NVIDIA A100-SXM4-80GB")).map(ChipType::id).hasValue("nvidia-a100");
        assertThat(catalog.resolve("910B3")).map(ChipType::id).hasValue("ascend-910b3");
        assertThat(catalog.resolve("  nvidia   h20 ")).map(ChipType::id).hasValue("nvidia-h20");
        assertThat(catalog.resolve("Ascend 910A")).map(ChipType::id).hasValue("ascend-910a");
        assertThat(catalog.resolve("Quantum Flux 9000")).isEmpty();
    }

    @Test
    void the910B4Variants_haveTheirOwnMemory() {
        // A wrong memory template for 910B4-1 caused wrong scheduling elsewhere: 910B4 has 32 GB, 910B4-1 has 64 GB.
        assertThat(catalog.resolve("910B4").orElseThrow().hbmGiB()).isEqualTo(32);
        assertThat(catalog.resolve("910B4-1").orElseThrow().hbmGiB()).isEqualTo(64);
    }

    @Test
    void operatorFileAddsAndOverridesEntries(@TempDir Path dir) throws Exception {
        Path extra = dir.resolve("chips.yaml");
        Files.writeString(extra, """
                chips:
                  acme-tpx2:
                    vendor: acme
                    hbmGiB: 144
                    memoryBandwidthTBs: 4.8
                    tflops: {bf16: 900, fp8: 1800}
                    efficiency: 0.5
                    visibilityEnv: ACME_VISIBLE_DEVICES
                    aliases: ["ACME TPX-2"]
                  nvidia-h20:
                    vendor: nvidia
                    hbmGiB: 141
                    memoryBandwidthTBs: 4.8
                    tflops: {bf16: 148, fp8: 296}
                    efficiency: 0.6
                    visibilityEnv: CUDA_VISIBLE_DEVICES
                    aliases: ["NVIDIA H20-3e"]
                """);
        ChipCatalog merged = ChipCatalog.load(Optional.of(extra));
        assertThat(merged.resolve("ACME TPX-2")).map(ChipType::id).hasValue("acme-tpx2");
        assertThat(merged.byId("nvidia-h20").orElseThrow().hbmGiB()).isEqualTo(141);
        assertThat(merged.byId("nvidia-h100")).isPresent();
    }

    @Test
    void invalidEntriesAreAllReportedWithTheirPaths(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, """
                chips:
                  broken-1:
                    vendor: x
                    hbmGiB: -4
                    memoryBandwidthTBs: 1
                    tflops: {bf17: 3}
                    efficiency: 2
                    visibilityEnv: "NOT VALID"
                  Bad_Id:
                    vendor: y
                """);
        assertThatThrownBy(() -> ChipCatalog.load(Optional.of(bad)))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors())
                        .extracting(ValidationError::field)
                        .contains("chips.broken-1.hbmGiB", "chips.broken-1.tflops.bf17", "chips.broken-1.efficiency",
                                "chips.broken-1.visibilityEnv", "chips.Bad_Id"));
    }
}
