package io.tessera.scheduler.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpec;
import io.tessera.config.JobSpecParser;
import io.tessera.config.Precision;
import io.tessera.config.wire.ShardPhase;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.loop.JobLifecycle.Action;
import io.tessera.scheduler.loop.JobLifecycle.Observation;
import io.tessera.scheduler.loop.JobLifecycle.Transition;
import io.tessera.scheduler.model.EventType;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.ShardPlan;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Table tests of image pinning ({@link ImagePins}) through the pure lifecycle: a placed attempt
 * whose image shards all reported the digest they resolved, and agree per image, is pinned; one
 * whose shards of one image disagree fails without running; anything else waits.
 */
class ImagePinsTest {
    private static final JobSpecParser PARSER = new JobSpecParser(ChipCatalog.builtIn());
    private static final String BASE = "name: t\ncommand: [w]\nshards: 3\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\n"
            + "globalBatch: 6\nrestartLimit: 2\n";
    private static final Plan PLAN = new Plan(Precision.BF16, List.of(
            new ShardPlan(0, "h20-a", "a1", "nvidia-h20", "nvidia", List.of(0), Precision.BF16, 2, 1, 10),
            new ShardPlan(1, "h20-b", "a2", "nvidia-h20", "nvidia", List.of(0), Precision.BF16, 2, 1, 10),
            new ShardPlan(2, "npu-a", "a3", "ascend-910b", "huawei", List.of(0), Precision.BF16, 2, 1, 10)),
            30, 0.2, 0.0, Map.of("nvidia", 0.66, "huawei", 0.34), List.of());
    private static final String D1 = "sha256:" + "1".repeat(64);
    private static final String D2 = "sha256:" + "2".repeat(64);

    private static JobRecord placed(String extra) {
        JobSpec spec = PARSER.parse((BASE + extra).getBytes(StandardCharsets.UTF_8), "application/yaml");
        return new JobRecord(new JobRecord.Identity("j", 1, "alice", "t0"), spec,
                new JobRecord.Lifecycle(JobState.PLACED, false, 1, 0, 0), PLAN,
                List.of(new JobEvent("t0", EventType.PLACED, "", 1, null)), null, List.of());
    }

    private static ShardReport starting(int shard, String digest) {
        return new ShardReport("j", shard, 1, ShardPhase.STARTING, null, null, null, null, ShardReport.Progress.NONE,
                digest, null);
    }

    private static Transition step(JobRecord job, ShardReport... reports) {
        Map<Integer, ShardReport> byShard = new HashMap<>();
        for (ShardReport r : reports) {
            byShard.put(r.shard(), r);
        }
        return JobLifecycle.next(job, new Observation(byShard, Set.of(), "t1"));
    }

    private static final String VARIANTS = "image: reg.example/train:cuda\nvariants:\n  huawei: {image: \"reg.example/train:cann\"}\n";

    @Test
    void everyImageShardAgreeingPinsTheirDigests() {
        JobRecord job = placed(VARIANTS);
        Transition t = step(job, starting(0, D1), starting(1, D1), starting(2, D2));
        assertThat(t.actions()).containsExactly(Action.PIN_IMAGES);
        assertThat(t.job().state()).isEqualTo(JobState.PLACED);
        assertThat(t.job().events().get(t.job().events().size() - 1).type()).isEqualTo(EventType.IMAGES_PINNED);
        assertThat(ImagePins.digests(job, Map.of(0, starting(0, D1), 1, starting(1, D1), 2, starting(2, D2))))
                .containsExactly(Map.entry(0, D1), Map.entry(1, D1), Map.entry(2, D2));
        assertThat(step(t.job(), starting(0, D1), starting(1, D1), starting(2, D2)).changed(t.job()))
                .as("pinned once per attempt").isFalse();
    }

    @Test
    void shardsOfOneImageThatResolvedItDifferentlyFailTheJobWithoutARestart() {
        Transition t = step(placed(VARIANTS), starting(0, D1), starting(1, D2), starting(2, D2));
        assertThat(t.job().state()).isEqualTo(JobState.FAILED);
        assertThat(t.job().restarts()).isZero();
        assertThat(t.actions()).containsExactly(Action.RELEASE_DEVICES);
        assertThat(t.job().events()).anySatisfy(e -> assertThat(e.message())
                .contains("reg.example/train:cuda").contains("shard 0 on h20-a: " + D1).contains("shard 1 on h20-b: " + D2)
                .contains("none of its shards was started"));
    }

    @Test
    void itWaitsWhileAnImageShardHasNotReportedItsDigest() {
        assertThat(step(placed(VARIANTS), starting(0, D1), starting(2, D2)).actions()).isEmpty();
        assertThat(step(placed(VARIANTS), starting(0, D1), starting(1, null), starting(2, D2)).actions()).isEmpty();
    }

    @Test
    void hostShardsNeedNoPinAndAJobWithoutImagesIsNeverPinned() {
        JobRecord mixed = placed("variants:\n  huawei: {image: \"reg.example/train:cann\"}\n");
        ShardReport host = starting(0, null);
        Transition t = step(mixed, host, starting(1, null), starting(2, D2));
        assertThat(t.actions()).containsExactly(Action.PIN_IMAGES);
        assertThat(step(placed(""), host).actions()).isEmpty();
    }
}
