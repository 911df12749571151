package io.tessera.scheduler.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpecParser;
import io.tessera.scheduler.placement.VetoReason;
import io.tessera.scheduler.state.Codec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A job's wait is typed in the store, and a reason stored before waits had kinds still reads. */
class WaitingTest {
    private static final JobRecord JOB = new JobRecord(new JobRecord.Identity("j", 1, "alice", "2026-12-01T00:00:00Z"),
            new JobSpecParser(ChipCatalog.builtIn()).parse(
            "name: t\ncommand: [w]\nshards: 1\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 4\n"
                    .getBytes(StandardCharsets.UTF_8), "application/yaml"),
            new JobRecord.Lifecycle(JobState.QUEUED, false, 1, 0, 0),
            null, List.of(), null, List.of());

    @Test
    void aTypedWaitRoundTripsThroughTheStore() {
        JobRecord waiting = JOB.withWaiting(new Waiting(WaitKind.NO_FIT, "needs 8 devices, 2 free",
                List.of(VetoReason.INSUFFICIENT_DEVICES, VetoReason.INSUFFICIENT_DEVICES)));
        String json = Codec.encode(waiting);
        assertThat(json).contains("\"waiting\":{\"kind\":\"NO_FIT\"").doesNotContain("waitingReason");
        JobRecord back = Codec.decode(json, JobRecord.class);
        assertThat(back).isEqualTo(waiting);
        assertThat(back.waiting().causes()).containsExactly(VetoReason.INSUFFICIENT_DEVICES);
        assertThat(back.waitingReason()).isEqualTo("needs 8 devices, 2 free");
    }

    @Test
    void aPlainReasonStoredByAnOlderVersionReadsAsAnUntypedWait() {
        String old = Codec.encode(JOB).replace("\"owner\"", "\"waitingReason\":\"queue a is at its quota\",\"owner\"");
        JobRecord back = Codec.decode(old, JobRecord.class);
        assertThat(back.waiting()).isEqualTo(new Waiting(WaitKind.UNKNOWN, "queue a is at its quota"));
    }

    @Test
    void aWaitIsOfTheSameKindWhenItsGateAndItsCausesAreTheSameWhateverItsNumbers() {
        Waiting a = new Waiting(WaitKind.NO_FIT, "needs 8 devices, 2 free", List.of(VetoReason.INSUFFICIENT_DEVICES));
        assertThat(a.sameKind(new Waiting(WaitKind.NO_FIT, "needs 8 devices, 5 free",
                List.of(VetoReason.INSUFFICIENT_DEVICES)))).isTrue();
        assertThat(a.sameKind(new Waiting(WaitKind.NO_FIT, "x", List.of(VetoReason.MEMORY)))).isFalse();
        assertThat(a.sameKind(new Waiting(WaitKind.RESERVED, "needs 8 devices, 2 free",
                List.of(VetoReason.INSUFFICIENT_DEVICES)))).isFalse();
        assertThat(new Waiting(WaitKind.RESERVED, "reserved: waits for [job-1]").sameKind(
                new Waiting(WaitKind.RESERVED, "reserved: waits for [job-2, job-3]"))).isTrue();
        assertThat(a.sameKind(null)).isFalse();
    }
}
