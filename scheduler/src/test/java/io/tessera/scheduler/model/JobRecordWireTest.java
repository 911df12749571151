package io.tessera.scheduler.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.ChipCatalog;
import io.tessera.config.Documents;
import io.tessera.config.JobSpecParser;
import io.tessera.scheduler.state.Codec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The job record is grouped in Java (identity, lifecycle) and one flat object in the store: jobs
 * stored before the grouping, in Hazelcast and the database, read as they meant.
 */
class JobRecordWireTest {
    /** A job as the flat record (before the grouping) wrote it; captured from that version's {@code Codec.encode}. */
    static final String STORED_FLAT = "{\"id\":\"job-7\",\"seq\":7,\"spec\":{\"name\":\"old\",\"queue\":\"default\",\"priority\":0,"
            + "\"command\":[\"w\"],\"args\":[],\"env\":{},\"shards\":{\"min\":2,\"max\":2},\"devicesPerShard\":1,"
            + "\"workload\":{\"flopsPerSample\":1.0E12,\"memoryPerShardGiB\":1.0},\"globalBatch\":8,\"precisions\":[\"bf16\"],"
            + "\"vendorPolicy\":{\"vendors\":[],\"excludeVendors\":[]},\"chipTypes\":[],\"restartLimit\":3,"
            + "\"precisionPolicy\":\"uniform\",\"efficiency\":{},\"secretEnv\":{},\"shell\":false,\"scheduling\":{}},"
            + "\"state\":\"QUEUED\",\"cancelRequested\":true,\"submittedAt\":\"2026-12-01T00:00:00Z\",\"attempt\":3,\"restarts\":2,"
            + "\"events\":[{\"at\":\"2026-12-01T00:00:00Z\",\"type\":\"SUBMITTED\",\"message\":\"\"}],"
            + "\"waiting\":{\"kind\":\"NO_FIT\",\"reason\":\"no room\",\"causes\":[]},\"owner\":\"alice\",\"previousShards\":4,"
            + "\"finalShards\":[]}";

    private static JobRecord sample() {
        JobRecord j = JobRecord.submitted("job-7", 7, new JobSpecParser(ChipCatalog.builtIn()).parse(("name: old\ncommand: [w]\n"
                + "shards: 2\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 8\n").getBytes(StandardCharsets.UTF_8),
                "application/yaml"), "alice", "2026-12-01T00:00:00Z");
        return new JobRecord(j.identity(), j.spec(), new JobRecord.Lifecycle(JobState.QUEUED, true, 3, 2, 4), null,
                j.events(), new Waiting(WaitKind.NO_FIT, "no room"), List.of());
    }

    @Test
    void aJobStoredByTheFlatRecordReadsAsItMeant() {
        JobRecord j = Codec.decode(STORED_FLAT, JobRecord.class);
        assertThat(j).isEqualTo(sample());
        assertThat(j.id()).isEqualTo("job-7");
        assertThat(j.owner()).isEqualTo("alice");
        assertThat(j.cancelRequested()).isTrue();
        assertThat(j.attempt()).isEqualTo(3);
        assertThat(j.previousShards()).isEqualTo(4);
    }

    @Test
    void itIsStoredAsTheSameFlatObject() throws Exception {
        JsonNode now = Documents.json().readTree(Codec.encode(sample()));
        JsonNode before = Documents.json().readTree(STORED_FLAT);
        assertThat(names(now)).containsExactlyInAnyOrderElementsOf(names(before));
        assertThat(now).isEqualTo(before);
    }

    @Test
    void restartsInPlaceAndAMoveRequestRoundTripAndAreLeftOffWhenAbsent() {
        JobRecord j = sample().withRecovery(GangRecovery.NONE.restarted(1, 5_000).restarted(1, 9_000).restarted(3, 9_500)
                .back(1)).withMoveRequested("node n1 is drained for maintenance");
        JobRecord back = Codec.decode(Codec.encode(j), JobRecord.class);
        assertThat(back).isEqualTo(j);
        assertThat(back.recovery().incarnation(1)).isEqualTo(2);
        assertThat(back.recovery().generation()).isEqualTo(3);
        assertThat(back.recovery().downSinceMs()).containsOnlyKeys(3);
        assertThat(back.moveRequested()).isEqualTo("node n1 is drained for maintenance");
        assertThat(Codec.encode(sample())).as("a job with neither is stored as before").doesNotContain("recovery",
                "moveRequested");
    }

    @Test
    void aWaitStoredAsPlainTextStillReads() {
        JobRecord j = Codec.decode(STORED_FLAT.replace("\"waiting\":{\"kind\":\"NO_FIT\",\"reason\":\"no room\",\"causes\":[]}",
                "\"waitingReason\":\"no room\""), JobRecord.class);
        assertThat(j.waitingReason()).isEqualTo("no room");
    }

    private static List<String> names(JsonNode json) {
        List<String> out = new ArrayList<>();
        json.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
