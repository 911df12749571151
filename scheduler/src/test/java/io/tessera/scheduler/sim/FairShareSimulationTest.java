package io.tessera.scheduler.sim;

import java.util.Locale;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.tessera.config.ChipCatalog;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.placement.NodeView;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two users on two queues (alice on {@code ml}, weight 2; bob on {@code batch}, weight 1) replay
 * 400 consecutive jobs of the Philly trace (1 to 8 GPUs) on a mixed fleet of 6 H20 and 6 Ascend
 * 910B nodes of 8 devices, in the simulator: the real queue pass, fair share, preemption and
 * lifecycles in virtual time. Jobs alternate between the two users, and arrivals are compressed
 * 100-fold, so both queues stay backlogged. While both have jobs waiting, the normalized TFLOPS
 * each holds is integrated over time: {@code ml} must hold two thirds of it, within 5%. And no
 * gang waits past its reservation: every wait that had one ends with a start no later than that
 * wait's first {@code estimatedStartAt} (jobs run at the speed the scheduler predicts here).
 *
 * <p>Once with run times capped at 2 hours, as a cluster's run-time limit would cap them, and
 * once with the trace's own, up to 10 days. Without fair-share preemption of non-elastic jobs
 * (a job of a queue far above its share is preempted at its checkpoint for a queue below it) the
 * uncapped replay gave {@code ml} 0.54: a days-long job that started while its queue was below
 * its share kept its devices throughout.
 */
class FairShareSimulationTest {
    private static final Path SAMPLE = Path.of("src/test/resources/traces/philly-sample.csv").toAbsolutePath();
    private static final ChipCatalog CATALOG = ChipCatalog.builtIn();
    @TempDir
    Path dir;

    private double mlShare(String cap) {
        List<NodeView> nodes = Sims.fleet(Sims.nodes("h20-", "nvidia-h20", 6, 8), Sims.nodes("910b-", "ascend-910b", 6, 8));
        Workload w = Sims.workload(dir, "seed: 1\noptions: {referenceChip: ascend-910b, checkpointEverySec: 600}\n"
                + "queues: [{name: ml, weight: 2, users: [alice]}, {name: batch, weight: 1, users: [bob]}]\n"
                + "tenants: [{queue: ml, user: alice}, {queue: batch, user: bob}]\n"
                + "philly: {file: \"" + SAMPLE + "\", timeScale: 0.01" + cap + "}\n", nodes, CATALOG, null);
        SimRecorder rec = Sims.run(nodes, w, true, CATALOG, null);
        assertThat(rec.jobs()).hasSize(400).allMatch(t -> t.state == JobState.SUCCEEDED);
        double ml = 0;
        double batch = 0;
        double both = 0;
        List<SimRecorder.Sample> s = rec.samples();
        for (int i = 0; i + 1 < s.size(); i++) {
            SimRecorder.Sample x = s.get(i);
            if (x.queuedByQueue().getOrDefault("ml", 0) > 0 && x.queuedByQueue().getOrDefault("batch", 0) > 0) {
                double dt = (s.get(i + 1).atMs() - x.atMs()) / 1000.0;
                ml += x.tflopsByQueue().getOrDefault("ml", 0.0) * dt;
                batch += x.tflopsByQueue().getOrDefault("batch", 0.0) * dt;
                both += dt;
            }
        }
        double share = ml / (ml + batch);
        List<Double> late = rec.jobs().stream().flatMap(t -> t.reservationLateSec.stream()).toList();
        double worstLate = late.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        System.out.printf(Locale.ROOT, "fair-share replay%s: %d waits had a reservation; the latest start was "
                + "%.1f s after that wait's first estimated start%n", cap, late.size(), worstLate);
        System.out.printf(Locale.ROOT, "fair-share replay%s: %.0f s with both queues backlogged; ml (weight 2) "
                + "held %.4f of the normalized TFLOPS held, target 0.6667; %d preemptions%n", cap, both, share, rec.preemptions());
        assertThat(both).as("both queues were backlogged for a while").isGreaterThan(3600);
        assertThat(late).as("waits with a reservation").hasSizeGreaterThan(20);
        assertThat(worstLate).as("no gang starts after the reservation it was first given").isLessThanOrEqualTo(0.0);
        return share;
    }

    @Test
    void withRunTimesCappedAtTwoHoursTheQueuesHoldTheirWeightedShares() {
        assertThat(mlShare(", maxDurationSec: 7200")).isCloseTo(2 / 3.0, offset(0.05 * 2 / 3.0));
    }

    @Test
    void withTheTracesOwnRunTimesOfUpToTenDaysTheyDoToo() {
        assertThat(mlShare("")).isCloseTo(2 / 3.0, offset(0.05 * 2 / 3.0));
    }
}
