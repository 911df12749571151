package io.tessera.scheduler.policy;

import java.util.Arrays;
import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpecParser;
import io.tessera.config.Precision;
import io.tessera.config.wire.ShardPhase;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.ShardPlan;
import io.tessera.scheduler.policy.ReservationPolicy.Ending;
import io.tessera.scheduler.policy.ReservationPolicy.Reservation;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Predicted remaining time, the earliest reservation, and the backfill rule, on hand-built jobs. */
class ReservationPolicyTest {
    private static final JobSpecParser PARSER = new JobSpecParser(ChipCatalog.builtIn());

    private static Plan plan(String node, int... devices) {
        List<Integer> d = Arrays.stream(devices).boxed().toList();
        return new Plan(Precision.BF16, List.of(new ShardPlan(0, node, "a", "nvidia-h20", "nvidia", d, Precision.BF16,
                1, 1, 10)), 10, 2.0, 0, Map.of("nvidia", 1.0), List.of());
    }

    private static JobRecord running(String id, Plan plan, String extra) {
        return new JobRecord(new JobRecord.Identity(id, 1, "u", "t"),
                PARSER.parse(("name: r\ncommand: [w]\nshards: 1\nflopsPerSample: 1e12\n"
                + "memoryPerShardGiB: 1\nglobalBatch: 8\n" + extra).getBytes(StandardCharsets.UTF_8), "application/yaml"),
                new JobRecord.Lifecycle(JobState.RUNNING, false, 1, 0, 0),
                plan, List.of(), null, List.of());
    }

    private static ShardReport at(String id, long step, Long total) {
        return new ShardReport(id, 0, 1, ShardPhase.RUNNING, null, 1L, step, total, null, null, null);
    }

    @Test
    void remainingTimeIsStepsLeftTimesThePredictedStepTime() {
        JobRecord reported = running("a", plan("n1", 0), "");
        assertThat(ReservationPolicy.remainingSec(reported, Map.of(0, at("a", 30, 100L)))).hasValue(140.0);
        JobRecord declared = running("b", plan("n1", 0), "scheduling: {steps: 50}\n");
        assertThat(ReservationPolicy.remainingSec(declared, Map.of())).hasValue(100.0);
        assertThat(ReservationPolicy.remainingSec(running("c", plan("n1", 0), ""), Map.of())).isEmpty();
    }

    @Test
    void theReservationIsAtTheFirstEndThatMakesRoomAndHoldsItsPlansDevices() {
        JobRecord first = running("first", plan("n1", 0, 1), "");
        JobRecord second = running("second", plan("n2", 0, 1), "");
        List<Ending> ends = List.of(new Ending(second, 2000), new Ending(first, 1000));
        // The head fits only once both have ended.
        Optional<Reservation> r = ReservationPolicy.reserve(running("head", null, ""), ends,
                gone -> gone.size() == 2 ? Optional.of(plan("n2", 0, 1)) : Optional.empty());
        assertThat(r).isPresent();
        assertThat(r.get().startAtMs()).isEqualTo(2000);
        assertThat(r.get().devices()).isEqualTo(Map.of("n2", Set.of(0, 1)));
        assertThat(r.get().waitsFor()).containsExactly("second");
        assertThat(ReservationPolicy.reserve(running("head", null, ""), ends, gone -> Optional.empty())).isEmpty();
    }

    @Test
    void aJobMayStartBesideAReservationOrIfItEndsBeforeIt() {
        Reservation r = new Reservation("head", 10_000, Map.of("n2", Set.of(0, 1)), List.of("x"), Set.of("nvidia-h20"), null);
        assertThat(ReservationPolicy.delays("j", plan("n1", 0), OptionalDouble.empty(), 0, List.of(r))).isEmpty();
        assertThat(ReservationPolicy.delays("j", plan("n2", 1), OptionalDouble.empty(), 0, List.of(r))).contains(r);
        assertThat(ReservationPolicy.delays("j", plan("n2", 1), OptionalDouble.of(9.0), 0, List.of(r))).isEmpty();
        assertThat(ReservationPolicy.delays("j", plan("n2", 1), OptionalDouble.of(11.0), 0, List.of(r))).contains(r);
        assertThat(ReservationPolicy.delays("head", plan("n2", 1), OptionalDouble.empty(), 0, List.of(r)))
                .as("its own reservation").isEmpty();
    }
}
