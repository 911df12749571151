package io.tessera.scheduler.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpecParser;
import io.tessera.config.Precision;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.placement.ClusterSnapshot;
import io.tessera.scheduler.placement.NodeView;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.ShardPlan;
import io.tessera.scheduler.policy.ReservationPolicy.Ending;
import io.tessera.scheduler.policy.ReservationPolicy.Reservation;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A reservation is kept as a promise: when its devices free, and which reservation is held after a renewal. */
class ReservationPromiseTest {
    private static final ChipCatalog CATALOG = ChipCatalog.builtIn();
    private static final Map<String, Set<Integer>> DEVICES = Map.of("n1", Set.of(0, 1), "n2", Set.of(0));

    private static Plan plan(String node, Integer... devices) {
        return new Plan(Precision.BF16, List.of(new ShardPlan(0, node, "a", "nvidia-h20", "nvidia", List.of(devices),
                Precision.BF16, 1, 1, 10)), 10, 2.0, 0, Map.of("nvidia", 1.0), List.of());
    }

    private static JobRecord running(String id, Plan plan) {
        return new JobRecord(new JobRecord.Identity(id, 1, "u", "t"),
                new JobSpecParser(CATALOG).parse(("name: r\ncommand: [w]\nshards: 1\n"
                + "flopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 8\n").getBytes(StandardCharsets.UTF_8),
                "application/yaml"),
                new JobRecord.Lifecycle(JobState.RUNNING, false, 1, 0, 0),
                plan, List.of(), null, List.of());
    }

    private static ClusterSnapshot free(Map<String, List<Integer>> byNode) {
        return new ClusterSnapshot(CATALOG, byNode.entrySet().stream().map(e -> new NodeView(e.getKey(), "a", Map.of(),
                Map.of("nvidia-h20", e.getValue()))).toList());
    }

    private static final ClusterSnapshot ALL = free(Map.of("n1", List.of(0, 1, 2), "n2", List.of(0, 1)));

    private static Reservation at(long startAtMs) {
        return new Reservation("head", startAtMs, DEVICES, List.of(), Set.of("nvidia-h20"), null);
    }

    @Test
    void devicesFreeAtTheLatestPredictedEndOfTheJobsOnThem() {
        JobRecord a = running("a", plan("n1", 0, 1));
        JobRecord b = running("b", plan("n2", 0));
        ClusterSnapshot busy = free(Map.of("n1", List.of(2), "n2", List.of(1)));
        assertThat(ReservationPromise.releasedAtMs(DEVICES, ALL, busy, List.of(new Ending(a, 5_000), new Ending(b, 7_000)),
                List.of(), 1_000)).hasValue(7_000);
        assertThat(ReservationPromise.releasedAtMs(DEVICES, ALL, ALL, List.of(), List.of(), 1_000))
                .as("all free: now").hasValue(1_000);
        assertThat(ReservationPromise.releasedAtMs(DEVICES, ALL, busy, List.of(new Ending(a, 5_000)), List.of(b), 1_000))
                .as("a preempted job releases now").hasValue(5_000);
        assertThat(ReservationPromise.releasedAtMs(DEVICES, ALL, busy, List.of(new Ending(a, 5_000)), List.of(), 1_000))
                .as("b has no predicted end").isEmpty();
        ClusterSnapshot n2Gone = free(Map.of("n1", List.of(0, 1, 2)));
        assertThat(ReservationPromise.releasedAtMs(DEVICES, n2Gone, n2Gone, List.of(), List.of(), 1_000))
                .as("a device of it is gone").isEmpty();
    }

    @Test
    void theOldReservationIsKeptUnlessAFreshOneStartsEarlierOrItCannotBeKept() {
        Reservation old = at(10_000);
        Reservation laterElsewhere = new Reservation("head", 12_000, Map.of("n3", Set.of(0)), List.of(), Set.of(), null);
        Reservation earlierElsewhere = new Reservation("head", 8_000, Map.of("n3", Set.of(0)), List.of(), Set.of(), null);
        assertThat(ReservationPromise.keep(Optional.of(old), Optional.of(laterElsewhere), OptionalLong.of(9_000)))
                .as("a fresh plan around newer reservations starts later: the promise stands").contains(old);
        assertThat(ReservationPromise.keep(Optional.of(old), Optional.empty(), OptionalLong.of(10_000))).contains(old);
        assertThat(ReservationPromise.keep(Optional.of(old), Optional.of(earlierElsewhere), OptionalLong.of(9_000)))
                .contains(earlierElsewhere);
        assertThat(ReservationPromise.keep(Optional.of(old), Optional.of(laterElsewhere), OptionalLong.of(11_000)))
                .as("the jobs on its devices overran by 1 s: it moves by that, not to the fresh 12 s")
                .contains(old.startingAt(11_000));
        assertThat(ReservationPromise.keep(Optional.of(old), Optional.of(laterElsewhere), OptionalLong.empty()))
                .as("its devices will not free").contains(laterElsewhere);
        assertThat(ReservationPromise.keep(Optional.empty(), Optional.of(laterElsewhere), OptionalLong.of(1)))
                .contains(laterElsewhere);
    }

    @Test
    void aReservedPlanCanBeCommittedAsItIsOnlyWhenAllItsDevicesAreFree() {
        assertThat(ReservationPromise.allFree(DEVICES, ALL)).isTrue();
        assertThat(ReservationPromise.allFree(DEVICES, free(Map.of("n1", List.of(0, 1))))).isFalse();
        assertThat(ReservationPromise.allFree(DEVICES, free(Map.of("n1", List.of(0), "n2", List.of(0))))).isFalse();
    }
}
