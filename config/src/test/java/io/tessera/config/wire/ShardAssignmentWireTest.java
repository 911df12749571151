package io.tessera.config.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.Documents;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The assignment is six nested parts in Java and one flat object on the wire: what agents of
 * every version, and the assignment sets already stored, read.
 */
class ShardAssignmentWireTest {
    /** The fields of the flat wire object, as they were before the assignment was grouped into parts. */
    static final List<String> WIRE_FIELDS = List.of("jobId", "jobName", "shard", "worldSize", "localRank",
            "localWorldSize", "attempt", "groupRank", "groupWorldSize", "argv", "env", "checkpointDir", "resumesJob", "devices", "chipType", "vendor",
            "visibilityEnv", "precision", "microBatch", "accumulation", "globalBatch", "predictedSamplesPerSec",
            "splitVersion", "catalogSamplesPerSec", "masterAddr", "masterPort", "comm", "stopGraceMs");

    private static ShardAssignment sample() {
        return ShardAssignment.builder("job-1", 2).jobName("llm").gang(4, 1, 2).attempt(3).nodes(1, 2)
                .command(List.of("python", "train.py"), Map.of("LR", "3e-4"))
                .checkpoints("/ckpt/job-1", "job-0")
                .devices(List.of(4, 5), "nvidia-h20", "nvidia", "CUDA_VISIBLE_DEVICES")
                .batch("bf16", 8, 2, 256, 41.5).split(1, 40.0)
                .rendezvous("10.0.0.7", 29512, null).stopGrace(30_000L).build();
    }

    @Test
    void onTheWireItIsOneFlatObjectWithTheFieldsItAlwaysHad() throws Exception {
        JsonNode json = Documents.json().readTree(Documents.json().writeValueAsString(sample()));
        List<String> names = new ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactlyInAnyOrderElementsOf(WIRE_FIELDS);
        assertThat(json.get("jobId").asText()).isEqualTo("job-1");
        assertThat(json.get("devices").toString()).isEqualTo("[4,5]");
        assertThat(json.get("masterPort").asInt()).isEqualTo(29512);
        assertThat(json.get("stopGraceMs").asLong()).isEqualTo(30_000L);
    }

    @Test
    void itReadsBackWhole() throws Exception {
        ShardAssignment a = sample();
        ShardAssignment back = Documents.json().readValue(Documents.json().writeValueAsString(a), ShardAssignment.class);
        assertThat(back).isEqualTo(a);
        assertThat(back.microBatch()).isEqualTo(8);
        assertThat(back.resumesJob()).isEqualTo("job-0");
    }

    /** An assignment written by a scheduler of the flat record (no split, no comm, still running) reads as it meant. */
    @Test
    void anOlderFlatAssignmentReads() throws Exception {
        String old = "{\"jobId\":\"j\",\"jobName\":\"j\",\"shard\":0,\"worldSize\":1,\"localRank\":0,\"localWorldSize\":1,"
                + "\"attempt\":1,\"argv\":[\"w\"],\"env\":{},\"devices\":[0],\"chipType\":\"nvidia-h20\",\"vendor\":\"nvidia\","
                + "\"visibilityEnv\":\"CUDA_VISIBLE_DEVICES\",\"precision\":\"bf16\",\"microBatch\":1,\"accumulation\":1,"
                + "\"globalBatch\":1,\"predictedSamplesPerSec\":1.0,\"masterAddr\":\"127.0.0.1\",\"masterPort\":29500,"
                + "\"checkpointDir\":null,\"stopGraceMs\":null}";
        ShardAssignment a = Documents.json().readValue(old, ShardAssignment.class);
        assertThat(a.devices()).containsExactly(0);
        assertThat(a.stopGraceMs()).isNull();
        assertThat(a.comm()).isNull();
        assertThat(a.splitVersion()).isZero();
        assertThat(a.withStopGrace(5_000).stopGraceMs()).isEqualTo(5_000L);
    }
}
