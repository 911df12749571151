package io.tessera.scheduler.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.scheduler.model.EventType;
import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpec;
import io.tessera.config.JobSpecParser;
import io.tessera.config.LimitsConfig.RestartBackoff;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RestartBackoffPolicyTest {
    private static final JobSpec SPEC = new JobSpecParser(ChipCatalog.builtIn()).parse(
            "name: t\ncommand: [w]\nshards: 1\nflopsPerSample: 1\nmemoryPerShardGiB: 1\nglobalBatch: 1\nrestartLimit: 9\n"
                    .getBytes(StandardCharsets.UTF_8), "application/yaml");
    private static final String AT = "2026-12-01T10:00:00Z";
    private static final long AT_MS = Instant.parse(AT).toEpochMilli();

    private static JobRecord queued(int attempt, int restarts, JobEvent... events) {
        return new JobRecord(new JobRecord.Identity("j", 1, "a", AT),
                SPEC,
                new JobRecord.Lifecycle(JobState.QUEUED, false, attempt, restarts, 0),
                null, List.of(events), null, List.of());
    }

    @Test
    void theWaitDoublesFromItsStartUpToItsCap() {
        RestartBackoff b = new RestartBackoff(10_000L, 60_000L);
        assertThat(List.of(b.delayMs(1), b.delayMs(2), b.delayMs(3), b.delayMs(4), b.delayMs(9)))
                .containsExactly(10_000L, 20_000L, 40_000L, 60_000L, 60_000L);
        assertThat(new RestartBackoff(0L, null).delayMs(3)).isZero();
        assertThat(RestartBackoff.DEFAULT.delayMs(1)).isEqualTo(10_000L);
        assertThat(RestartBackoff.DEFAULT.delayMs(20)).isEqualTo(300_000L);
    }

    @Test
    void aCountedRestartWaitsFromItsEvent() {
        JobRecord job = queued(3, 2, new JobEvent(AT, EventType.SHARD_FAILED, "x"), new JobEvent(AT, EventType.RESTARTING, "restart 2", 3, null));
        assertThat(RestartBackoffPolicy.notBeforeMs(job, new RestartBackoff(1000L, 60_000L))).isEqualTo(AT_MS + 2000);
        assertThat(RestartBackoffPolicy.notBeforeMs(job, new RestartBackoff(0L, 0L))).isZero();
    }

    @Test
    void requeuesThatAreNotCountedRestartsDoNotWait() {
        RestartBackoff b = new RestartBackoff(1000L, 60_000L);
        // a node lost (before or after the attempt started): no attempt on the event, no backoff
        assertThat(RestartBackoffPolicy.notBeforeMs(queued(3, 1, new JobEvent(AT, EventType.RESTARTING, "re-placing", null, null)), b)).isZero();
        // preempted after an earlier counted restart
        assertThat(RestartBackoffPolicy.notBeforeMs(queued(4, 1, new JobEvent(AT, EventType.RESTARTING, "r", 2, null),
                new JobEvent(AT, EventType.PLACED, "p", 2, List.of("n")), new JobEvent(AT, EventType.PREEMPTED, "back")), b)).isZero();
        assertThat(RestartBackoffPolicy.notBeforeMs(queued(1, 0), b)).isZero();
    }

    @Test
    void aGangTesseraCouldNotStartBacksOffBySuchTriesThoughItSpentNoRestart() {
        RestartBackoff b = new RestartBackoff(1000L, 60_000L);
        JobRecord once = queued(2, 0, new JobEvent(AT, EventType.SHARD_NOT_STARTED, "x"),
                new JobEvent(AT, EventType.RESTARTING, "placing again", 2, null));
        assertThat(RestartBackoffPolicy.notBeforeMs(once, b)).isEqualTo(AT_MS + 1000);
        JobRecord twice = queued(3, 0, new JobEvent(AT, EventType.SHARD_NOT_STARTED, "x"),
                new JobEvent(AT, EventType.RESTARTING, "placing again", 2, null), new JobEvent(AT, EventType.PLACED, "p", 2, null),
                new JobEvent(AT, EventType.SHARD_NOT_STARTED, "x"), new JobEvent(AT, EventType.RESTARTING, "placing again", 3, null));
        assertThat(RestartBackoffPolicy.notBeforeMs(twice, b)).isEqualTo(AT_MS + 2000);
    }
}
