package io.tessera.config;

import java.nio.file.Path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A spec written back by {@link JobSpecDocument} is accepted again as the same spec; duplicates are refused. */
class JobSpecDocumentTest {
    private final JobSpecParser parser = new JobSpecParser(ChipCatalog.builtIn());

    private JobSpec parse(String text, String type) {
        return parser.parse(text.getBytes(StandardCharsets.UTF_8), type);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        """
        name: llama-7b
        queue: research
        priority: 5
        command: [python, train.py]
        args: [--lr, "3e-4"]
        env: {WANDB_MODE: offline}
        shards: {min: 2, max: 8}
        devicesPerShard: 8
        model: {parameters: 7B, tokensPerSample: 4096}
        memoryPerShardGiB: 40
        globalBatch: 1024
        precisions: [fp8, bf16]
        precisionPolicy: per-shard
        vendorPolicy: {maxVendorShare: 0.6, minVendors: 2}
        chipTypes: [nvidia-h20, ascend-910b]
        efficiency: {nvidia-h20: 0.5}
        checkpointDir: /ckpt/llama
        restartLimit: 5
        scheduling: {steps: 1000, preemptible: false}
        allowUnschedulable: true
        resumeFrom: job-8xrd76k9itq9
        """,
        """
        name: tiny
        command: [w]
        shell: true
        shards: 3
        flopsPerSample: 1e12
        memoryPerShardGiB: 20
        activationGiBPerSample: 0.5
        globalBatch: 30
        """,
        """
        name: huawei-only
        command: [w]
        shards: 2
        flopsPerSample: 1e12
        memoryPerShardGiB: 1
        globalBatch: 8
        vendors: [huawei]
        """,
        """
        name: not-nvidia
        command: [w]
        shards: 2
        flopsPerSample: 1e12
        memoryPerShardGiB: 1
        globalBatch: 8
        excludeVendors: [nvidia]
        vendorPolicy: {minVendors: 2}
        """})
    void aWrittenSpecParsesBackToTheSameSpec(String yaml) throws Exception {
        JobSpec spec = parse(yaml, "application/yaml");
        String json = Documents.json().writeValueAsString(JobSpecDocument.of(spec));
        assertThat(parse(json, "application/json")).isEqualTo(spec);
    }

    @Test
    void theExampleJobsRoundTrip() throws Exception {
        for (String file : List.of("../examples/job.yaml", "../examples/plan/job-7b.yaml")) {
            JobSpec spec = parser.parse(Documents.readFile(Path.of(file)));
            String json = Documents.json().writeValueAsString(JobSpecDocument.of(spec));
            assertThat(parse(json, "application/json")).as(file).isEqualTo(spec);
        }
    }

    @Test
    void aRedactedSecretIsRefusedRatherThanSubmittedAsTheSecret() throws Exception {
        JobSpec spec = parse("{name: s, command: [w], shards: 1, flopsPerSample: 1, memoryPerShardGiB: 1, globalBatch: 1,"
                + " secretEnv: {TOKEN: hunter2}}", "application/yaml");
        String json = Documents.json().writeValueAsString(JobSpecDocument.of(spec));
        assertThat(json).doesNotContain("hunter2").contains(JobSpec.REDACTED);
        assertThatThrownBy(() -> parse(json, "application/json")).isInstanceOfSatisfying(ValidationException.class,
                e -> assertThat(e.errors()).extracting(ValidationError::field).containsExactly("secretEnv.TOKEN"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/yaml", "application/json"})
    void duplicateKeysAreRefusedNamingTheKey(String type) {
        String body = type.endsWith("json")
                ? "{\"name\":\"a\",\"name\":\"b\",\"command\":[\"w\"],\"shards\":1,\"flopsPerSample\":1,"
                        + "\"memoryPerShardGiB\":1,\"globalBatch\":1}"
                : "name: a\nname: b\ncommand: [w]\nshards: 1\nflopsPerSample: 1\nmemoryPerShardGiB: 1\nglobalBatch: 1\n";
        assertThatThrownBy(() -> parse(body, type)).isInstanceOfSatisfying(ValidationException.class,
                e -> assertThat(e.getMessage()).contains("Duplicate field 'name'"));
    }

    @Test
    void resumeFromMustBeAJobId() {
        assertThatThrownBy(() -> parse("{name: s, command: [w], shards: 1, flopsPerSample: 1, memoryPerShardGiB: 1,"
                + " globalBatch: 1, resumeFrom: ../etc}", "application/yaml"))
                .isInstanceOfSatisfying(ValidationException.class,
                        e -> assertThat(e.errors()).extracting(ValidationError::field).containsExactly("resumeFrom"));
    }
}
