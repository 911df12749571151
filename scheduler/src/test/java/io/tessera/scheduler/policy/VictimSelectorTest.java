package io.tessera.scheduler.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpecParser;
import io.tessera.config.PreemptionConfig;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.policy.VictimSelector.Candidate;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Victim selection against a stand-in for placement: each job frees some devices, and the gang
 * fits once enough are free.
 */
class VictimSelectorTest {
    private static final JobSpecParser PARSER = new JobSpecParser(ChipCatalog.builtIn());

    private static Candidate job(String id, int priority, double lostSec) {
        JobRecord j = new JobRecord(new JobRecord.Identity(id, 1, "u", "t"),
                PARSER.parse(("name: v\npriority: " + priority + "\ncommand: [w]\nshards: 1\n"
                + "flopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 8\n").getBytes(StandardCharsets.UTF_8),
                "application/yaml"),
                new JobRecord.Lifecycle(JobState.RUNNING, false, 1, 0, 0),
                null, List.of(), null, List.of());
        return new Candidate(j, lostSec);
    }

    /** The gang fits when the victims free at least {@code need} devices; each job frees what {@code frees} says. */
    private static Predicate<List<JobRecord>> needs(int need, Map<String, Integer> frees) {
        return gone -> gone.stream().mapToInt(j -> frees.get(j.id())).sum() >= need;
    }

    private static List<String> ids(Optional<List<JobRecord>> victims) {
        return victims.orElseThrow().stream().map(JobRecord::id).toList();
    }

    @Test
    void oneVictimIsEnoughWhenOneIsEnoughAndItIsTheCheapest() {
        List<Candidate> c = List.of(job("big-recent-ckpt", 0, 10), job("big-old-ckpt", 0, 500), job("small", 0, 1));
        Map<String, Integer> frees = Map.of("big-recent-ckpt", 8, "big-old-ckpt", 8, "small", 2);
        assertThat(ids(VictimSelector.select(c, needs(8, frees)))).containsExactly("big-recent-ckpt");
    }

    @Test
    void lowerPriorityGoesFirstThenLessLostWork() {
        List<Candidate> c = List.of(job("high", 5, 0), job("low-old", 1, 900), job("low-new", 1, 30));
        Map<String, Integer> frees = Map.of("high", 4, "low-old", 4, "low-new", 4);
        assertThat(ids(VictimSelector.select(c, needs(4, frees)))).containsExactly("low-new");
    }

    @Test
    void neverMoreVictimsThanNeeded() {
        // Greedy order takes a (2), b (2), c (8); c alone would do, but a single victim is tried first.
        List<Candidate> c = List.of(job("a", 0, 1), job("b", 0, 2), job("c", 0, 3));
        Map<String, Integer> frees = Map.of("a", 2, "b", 2, "c", 8);
        assertThat(ids(VictimSelector.select(c, needs(8, frees)))).containsExactly("c");
        // Needing 10: greedy takes a, b and c (12); pruning spares b (a and c free 10) but not a.
        assertThat(ids(VictimSelector.select(c, needs(10, frees)))).containsExactly("a", "c");
    }

    @Test
    void nobodyIsPreemptedForAGangThatWouldStillNotFit() {
        List<Candidate> c = List.of(job("a", 0, 1), job("b", 0, 2));
        assertThat(VictimSelector.select(c, needs(100, Map.of("a", 8, "b", 8)))).isEmpty();
        assertThat(VictimSelector.select(List.of(), gone -> true)).isEmpty();
    }

    private static Candidate sized(String id, int priority, double lostSec, int devices, long startedAtMs) {
        Candidate c = job(id, priority, lostSec);
        return new Candidate(c.job(), lostSec, 60, devices, startedAtMs);
    }

    @Test
    void byCostAVictimLosesItsWorkSinceTheCheckpointAndItsRestartOnEveryDevice() {
        // wide: 8 x (10 + 60) = 560; narrow: 1 x (400 + 60) = 460: the narrow one throws away less.
        List<Candidate> c = List.of(sized("wide-fresh-ckpt", 0, 10, 8, 0), sized("narrow-old-ckpt", 0, 400, 1, 0));
        assertThat(c.get(0).costDeviceSec()).isEqualTo(560);
        Map<String, Integer> frees = Map.of("wide-fresh-ckpt", 8, "narrow-old-ckpt", 1);
        assertThat(ids(VictimSelector.select(c, needs(1, frees)))).containsExactly("narrow-old-ckpt");
    }

    @Test
    void oneVictimThatIsEnoughAloneIsTakenBeforeSeveralCheaperOnes() {
        // just-ckpt-a and -b (cost 120 each) free 2 devices each; the long-running job alone frees 4 but
        // loses 1 x (3000 + 60). Each victim also waits in the queue again, which the cost does not count:
        // taking the cheaper pair preempted 24-47% more often at up to 8% worse average JCT in the simulator.
        List<Candidate> c = List.of(sized("just-ckpt-a", 0, 0, 2, 0), sized("just-ckpt-b", 0, 0, 2, 0),
                sized("long-since-ckpt", 0, 3000, 1, 0));
        Map<String, Integer> frees = Map.of("just-ckpt-a", 2, "just-ckpt-b", 2, "long-since-ckpt", 4);
        assertThat(ids(VictimSelector.select(c, needs(4, frees)))).containsExactly("long-since-ckpt");
        assertThat(ids(VictimSelector.select(c, needs(5, frees)))).as("when none is enough alone, the cheapest that are")
                .containsExactlyInAnyOrder("just-ckpt-a", "long-since-ckpt");
    }

    @Test
    void theKubernetesOrderTakesTheSmallestGangThenTheLatestStartedWhateverItLoses() {
        List<Candidate> c = List.of(sized("small-old", 0, 3000, 1, 1_000), sized("small-new", 0, 3500, 1, 9_000),
                sized("big-fresh-ckpt", 0, 0, 4, 5_000), sized("low", 0, 0, 8, 0));
        Map<String, Integer> frees = Map.of("small-old", 4, "small-new", 4, "big-fresh-ckpt", 4, "low", 4);
        assertThat(ids(VictimSelector.select(c, PreemptionConfig.VictimOrder.PRIORITY_SIZE_START, needs(4, frees))))
                .containsExactly("small-new");
        assertThat(ids(VictimSelector.select(c, PreemptionConfig.VictimOrder.COST, needs(4, frees))))
                .as("by cost: the gang that just checkpointed, 4 x 60").containsExactly("big-fresh-ckpt");
    }

    @Test
    void priorityStillComesBeforeCostInEitherOrder() {
        List<Candidate> c = List.of(sized("high-free", 5, 0, 1, 0), sized("low-dear", 0, 9000, 8, 0));
        Map<String, Integer> frees = Map.of("high-free", 8, "low-dear", 8);
        for (PreemptionConfig.VictimOrder o : PreemptionConfig.VictimOrder.values()) {
            assertThat(ids(VictimSelector.select(c, o, needs(8, frees)))).as(o.name()).containsExactly("low-dear");
        }
    }
}
