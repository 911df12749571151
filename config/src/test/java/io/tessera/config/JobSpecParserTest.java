package io.tessera.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobSpecParserTest {
    private final JobSpecParser parser = new JobSpecParser(ChipCatalog.builtIn());

    private JobSpec yaml(String text) {
        return parser.parse(text.getBytes(StandardCharsets.UTF_8), "application/yaml");
    }

    private List<ValidationError> errorsOf(String text, String contentType) {
        try {
            parser.parse(text.getBytes(StandardCharsets.UTF_8), contentType);
        } catch (ValidationException e) {
            return e.errors();
        }
        throw new AssertionError("expected validation errors for: " + text);
    }

    @Test
    void parsesAFullYamlSpec() {
        JobSpec spec = yaml("""
                name: llama-7b
                queue: research
                priority: 5
                command: [python, train.py]
                args: [--lr, "3e-4"]
                env: {WANDB_MODE: offline}
                shards: {min: 2, max: 8}
                devicesPerShard: 8
                model: {parameters: 7B, tokensPerSample: 4096}
                globalBatch: 1024
                precisions: [fp8, bf16]
                vendorPolicy: {maxVendorShare: 0.6, minVendors: 2}
                chipTypes: [nvidia-h20, ascend-910b]
                checkpointDir: /ckpt/llama
                restartLimit: 5
                """);
        assertThat(spec.shards()).isEqualTo(new JobSpec.ShardRange(2, 8));
        assertThat(spec.workload().parameters()).isEqualTo(7e9);
        assertThat(spec.workload().trainingFlopsPerSample()).isEqualTo(6 * 7e9 * 4096);
        assertThat(spec.precisions()).containsExactly(Precision.FP8, Precision.BF16);
        assertThat(spec.vendorPolicy()).isEqualTo(new JobSpec.VendorPolicy(0.6, 2));
        assertThat(spec.argv()).containsExactly("python", "train.py", "--lr", "3e-4");
        assertThat(spec.restartLimit()).isEqualTo(5);
    }

    /** Regression (issue 27, N6): a checkpoint directory is kept in its one spelling, so ownership compares paths. */
    @Test
    void aCheckpointDirIsKeptInItsOneSpelling() {
        JobSpec spec = parser.parse(("{\"name\":\"j\",\"command\":[\"w\"],\"shards\":1,\"flopsPerSample\":1e12,"
                + "\"memoryPerShardGiB\":1,\"globalBatch\":1,\"checkpointDir\":\"//ckpt//a/./b/\"}")
                .getBytes(StandardCharsets.UTF_8), "application/json");
        assertThat(spec.checkpointDir()).isEqualTo("/ckpt/a/b");
        assertThat(CanonicalPath.of("/")).isEqualTo("/");
        assertThat(CanonicalPath.of("/a/.")).isEqualTo("/a");
    }

    @Test
    void parsesJsonWithExplicitFlopsAndAppliesDefaults() {
        JobSpec spec = parser.parse(("{\"name\":\"j\",\"command\":[\"w\"],\"shards\":3,\"flopsPerSample\":1e12,"
                + "\"memoryPerShardGiB\":20,\"globalBatch\":30}").getBytes(StandardCharsets.UTF_8), "application/json");
        assertThat(spec.shards()).isEqualTo(new JobSpec.ShardRange(3, 3));
        assertThat(spec.queue()).isEqualTo("default");
        assertThat(spec.devicesPerShard()).isEqualTo(1);
        assertThat(spec.precisions()).containsExactly(Precision.BF16);
        assertThat(spec.restartLimit()).isEqualTo(3);
        assertThat(spec.workload().trainingFlopsPerSample()).isEqualTo(1e12);
    }

    @Test
    void reportsEveryErrorAtOnceWithFieldPaths() {
        List<ValidationError> errors = errorsOf("""
                name: "bad name!"
                command: []
                shards: {min: 4, max: 2}
                devicesPerShard: 0
                model: {parameters: lots, tokensPerSample: -1}
                globalBatch: "many"
                precisions: [bf16, fp4]
                vendorPolicy: {maxVendorShare: 1.5}
                chipTypes: [nvidia-x999]
                env: {RANK: "3", "1BAD": x}
                checkpointDir: ../escape
                colour: blue
                """, "application/yaml");
        assertThat(errors).extracting(ValidationError::field).contains("name", "command", "shards", "devicesPerShard",
                "model.parameters", "model.tokensPerSample", "globalBatch", "precisions[1]",
                "vendorPolicy.maxVendorShare", "chipTypes[0]", "env.RANK", "env.1BAD", "checkpointDir", "colour");
        assertThat(errors).filteredOn(e -> e.field().equals("chipTypes[0]")).first()
                .extracting(ValidationError::message).asString().contains("unknown chip type").contains("nvidia-h20");
    }

    @Test
    void requiredFieldsAreNamed() {
        assertThat(errorsOf("priority: 1", "application/yaml")).extracting(ValidationError::field)
                .contains("name", "command", "shards", "globalBatch", "model");
    }

    @Test
    void wrongTypesAreNamedWithWhatWasSent() {
        List<ValidationError> errors = errorsOf("{\"name\":7,\"command\":\"train.py\",\"shards\":\"two\","
                + "\"flopsPerSample\":1,\"memoryPerShardGiB\":1,\"globalBatch\":1.5}", "application/json");
        assertThat(errors).extracting(ValidationError::toString).contains(
                "name: must be a string, got the number 7",
                "command: must be a list, got a string",
                "globalBatch: must be a whole number, got the number 1.5");
        assertThat(errors).extracting(ValidationError::field).contains("shards");
    }

    @Test
    void rejectsBodiesThatAreNotDocumentsOrNotMappings() {
        assertThat(errorsOf("{not json", "application/json")).extracting(ValidationError::field).containsExactly("$");
        assertThat(errorsOf("- just\n- a list", "application/yaml").get(0).message()).contains("mapping");
        assertThat(errorsOf("", "application/yaml").get(0).message()).contains("empty");
    }

    @Test
    void rejectsInvalidUtf8AndDeepNesting() {
        byte[] bad = {'{', '"', 'n', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        assertThatThrownBy(() -> parser.parse(bad, "application/json"))
                .isInstanceOf(ValidationException.class).hasMessageContaining("UTF-8");
        String deep = "{\"a\":".repeat(200) + "1" + "}".repeat(200);
        assertThatThrownBy(() -> parser.parse(deep.getBytes(StandardCharsets.UTF_8), "application/json"))
                .isInstanceOf(ValidationException.class).hasMessageContaining("$");
    }

    @Test
    void refusesYamlAliasBombs() {
        StringBuilder bomb = new StringBuilder("a: &a [x,x,x,x,x,x,x,x,x]\n");
        for (char c = 'b'; c <= 'j'; c++) {
            char prev = (char) (c - 1);
            bomb.append(c).append(": &").append(c).append(" [*").append(prev).append(",*").append(prev).append(",*")
                    .append(prev).append(",*").append(prev).append(",*").append(prev).append(",*").append(prev)
                    .append(",*").append(prev).append(",*").append(prev).append(",*").append(prev).append("]\n");
        }
        assertThatThrownBy(() -> yaml(bomb.toString())).isInstanceOf(ValidationException.class);
    }

    @Test
    void globalBatchMustCoverTheMinimumShards() {
        assertThat(errorsOf("{\"name\":\"j\",\"command\":[\"w\"],\"shards\":{\"min\":4,\"max\":8},"
                + "\"flopsPerSample\":1,\"memoryPerShardGiB\":1,\"globalBatch\":3}", "application/json"))
                .extracting(ValidationError::field).containsExactly("globalBatch");
    }

    /** "Huawei only" without listing every Ascend chip id (regression: there was no way to say it). */
    @Test
    void vendorsAndExcludeVendorsNameWholeVendors() {
        JobSpec only = yaml("name: h\ncommand: [w]\nshards: 2\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 8\nvendors: [huawei]\n");
        ChipCatalog catalog = ChipCatalog.builtIn();
        assertThat(catalog.all()).filteredOn(only::allows).isNotEmpty().allMatch(c -> c.vendor().equals("huawei"));
        JobSpec not = yaml("name: h\ncommand: [w]\nshards: 2\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 8\nexcludeVendors: [nvidia]\n");
        assertThat(catalog.all()).filteredOn(not::allows).isNotEmpty().noneMatch(c -> c.vendor().equals("nvidia"));
    }

    @Test
    void badVendorsAreNamed() {
        String base = "name: h\ncommand: [w]\nshards: 2\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 8\n";
        assertThat(errorsOf(base + "vendors: [hauwei]\n", "application/yaml")).extracting(ValidationError::field)
                .containsExactly("vendors[0]");
        assertThat(errorsOf(base + "vendors: [huawei]\nexcludeVendors: [huawei]\n", "application/yaml"))
                .extracting(ValidationError::field).contains("excludeVendors");
        assertThat(errorsOf(base + "vendors: [huawei]\nchipTypes: [nvidia-h20]\n", "application/yaml"))
                .extracting(ValidationError::field).containsExactly("chipTypes");
        assertThat(errorsOf(base + "vendors: [huawei]\nvendorPolicy: {minVendors: 2}\n", "application/yaml"))
                .extracting(ValidationError::field).containsExactly("vendorPolicy.minVendors");
    }

    /** Regression: a YAML error was one line naming 'reader' (the parser's input stream), not where it was. */
    @Test
    void aYamlErrorSaysWhereAndShowsTheLine() {
        List<ValidationError> errors = errorsOf("name: t\ncommand: [w\nshards: 2\n", "application/yaml");
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).message()).doesNotContain("reader").contains("line 3").contains("`shards: 2`");
        List<ValidationError> json = errorsOf("{\"name\": \"t\",\n \"shards\": }", "application/json");
        assertThat(json.get(0).message()).contains("line 2").contains("`\"shards\": }`");
    }

    @Test
    void aJobMayDeclareWhatOneRestartCostsItAndAnOutOfRangeValueNamesTheField() {
        String base = "name: j\ncommand: [w]\nshards: 1\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 8\n";
        assertThat(yaml(base + "scheduling: {restartCostSec: 240}\n").scheduling().restartCostSec()).isEqualTo(240.0);
        assertThat(yaml(base).scheduling().restartCostSec()).isNull();
        assertThat(errorsOf(base + "scheduling: {restartCostSec: -1}\n", "application/yaml"))
                .extracting(ValidationError::field).containsExactly("scheduling.restartCostSec");
    }

    @Test
    void aJobDeclaresTheRecoveryRungsItsWorkersSupportAndBadValuesNameTheField() throws Exception {
        String base = "name: j\ncommand: [w]\nshards: 2\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 8\n";
        assertThat(yaml(base).scheduling().recoveryOrNone().processRestarts()).as("the default: gang restarts only").isZero();
        assertThat(yaml(base + "recovery: {processRestarts: 3}\n").scheduling().recoveryOrNone().processRestarts())
                .isEqualTo(3);
        JobSpec declared = yaml(base + "recovery: {processRestarts: 3}\nscheduling: {restartCostSec: 90}\n");
        // Regression: the document the API shows, and a resubmission reads, dropped scheduling.restartCostSec.
        assertThat(parser.parse(Documents.json().writeValueAsBytes(JobSpecDocument.of(declared)), "application/json"))
                .as("the spec's document reads back as the same spec").isEqualTo(declared);
        assertThat(errorsOf(base + "recovery: {processRestarts: -1}\n", "application/yaml"))
                .extracting(ValidationError::field).containsExactly("recovery.processRestarts");
        assertThat(errorsOf(base + "recovery: {shards: true}\n", "application/yaml"))
                .extracting(ValidationError::field).containsExactly("recovery.shards");
        assertThat(errorsOf(base + "recovery: 3\n", "application/yaml"))
                .extracting(ValidationError::field).containsExactly("recovery");
    }

    @Test
    void theClustersVictimOrderIsCostOrTheKubernetesOrderAndNothingElse() {
        assertThat(PreemptionConfig.DEFAULT.order()).isEqualTo(PreemptionConfig.VictimOrder.COST);
        assertThat(new PreemptionConfig("priority-size-start", 10.0).order())
                .isEqualTo(PreemptionConfig.VictimOrder.PRIORITY_SIZE_START);
        assertThatThrownBy(() -> new PreemptionConfig("oldest", null)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("preemption.victimOrder");
        assertThatThrownBy(() -> new PreemptionConfig(null, -5.0)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("preemption.restartCostSec");
        assertThat(PreemptionConfig.DEFAULT.maxRestartCostSec()).isEqualTo(600.0);
        assertThatThrownBy(() -> new PreemptionConfig(null, 120.0, 60.0)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("preemption.maxRestartCostSec");
    }
}
