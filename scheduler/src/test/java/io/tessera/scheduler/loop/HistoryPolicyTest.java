package io.tessera.scheduler.loop;

import java.time.Instant;
import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.scheduler.model.EventType;
import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpec;
import io.tessera.config.JobSpecParser;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.state.memory.InMemoryJobHistory;
import io.tessera.scheduler.state.JobHistory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which finished jobs leave hot state, and how the in-memory history pages, filters, caps and purges. Pure. */
class HistoryPolicyTest {
    private static final JobSpec SPEC = new JobSpecParser(ChipCatalog.builtIn()).parse(
            "name: t\ncommand: [w]\nshards: 1\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 4\n"
                    .getBytes(StandardCharsets.UTF_8), "application/yaml");

    private static JobRecord job(String id, long seq, JobState state, String at, String owner) {
        return new JobRecord(new JobRecord.Identity(id, seq, owner, at),
                SPEC,
                new JobRecord.Lifecycle(state, false, 1, 0, 0),
                null, List.of(new JobEvent(at, EventType.valueOf(state.name()), "")), null, List.of());
    }

    @Test
    void onlyJobsFinishedForTheGracePeriodAreDue() {
        JobRecord running = job("a", 1, JobState.RUNNING, "2026-01-01T00:00:00Z", "alice");
        JobRecord justDone = job("b", 2, JobState.SUCCEEDED, "2026-01-01T00:00:50Z", "alice");
        JobRecord longDone = job("c", 3, JobState.FAILED, "2026-01-01T00:00:00Z", "alice");
        long now = Instant.parse("2026-01-01T00:01:00Z").toEpochMilli();
        assertThat(HistoryMover.due(List.of(running, justDone, longDone), now, 30_000)).containsExactly(longDone);
        assertThat(HistoryMover.due(List.of(running, justDone, longDone), now, 0)).containsExactly(justDone, longDone);
    }

    @Test
    void theInMemoryHistoryPagesNewestFirstFiltersCapsAndPurges() {
        InMemoryJobHistory h = new InMemoryJobHistory(3);
        for (int i = 1; i <= 4; i++) {
            h.add(job("j" + i, i, i % 2 == 0 ? JobState.SUCCEEDED : JobState.FAILED, "t", i <= 2 ? "alice" : "bob"), i * 1000L);
        }
        assertThat(h.get("j1")).as("the oldest is dropped past the capacity").isEmpty();
        assertThat(h.page(new JobHistory.Query(null, Set.of(), null, null, 10)).stream().map(JobRecord::id))
                .containsExactly("j4", "j3", "j2");
        assertThat(h.page(new JobHistory.Query(null, Set.of(), null, 4L, 1)).stream().map(JobRecord::id)).containsExactly("j3");
        assertThat(h.page(new JobHistory.Query("bob", Set.of(JobState.SUCCEEDED), null, null, 10)).stream().map(JobRecord::id))
                .containsExactly("j4");
        assertThat(h.purgeFinishedBefore(3500)).isEqualTo(2);
        assertThat(h.get("j4")).isPresent();
        assertThat(h.get("j3")).isEmpty();
    }
}
