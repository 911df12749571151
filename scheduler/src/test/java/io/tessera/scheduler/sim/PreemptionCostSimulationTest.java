package io.tessera.scheduler.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.PreemptionConfig.VictimOrder;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.placement.NodeView;
import io.tessera.scheduler.placement.PlacementPolicy;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shipped preemption example ({@code examples/simulate/preemption/}), as shipped, on Gavel's
 * cluster with the test excerpt of its throughput table: both victim orders on one trace, where a
 * preempted worker keeps only its last periodic checkpoint. Ranking victims by accelerator-seconds
 * lost throws away less training than Kubernetes' order (smallest gang, then latest started); the
 * figures with the full table are in docs/simulation.md.
 */
class PreemptionCostSimulationTest {
    static final Path WORKLOAD = Path.of("../examples/simulate/preemption/workload.yaml");

    private static SimRecorder run(VictimOrder order) {
        List<NodeView> nodes = Sims.fleet(Sims.nodes("k80-", "nvidia-k80", 9, 4), Sims.nodes("p100-", "nvidia-p100", 9, 4),
                Sims.nodes("v100-", "nvidia-v100", 9, 4));
        Workload w = WorkloadFile.load(WORKLOAD, Sims.CATALOG, Sims.TABLE, nodes, null, null).withVictimOrder(order);
        assertThat(w.options().checkpointOnStop()).isFalse();
        return new Simulation(Sims.CATALOG, nodes, PlacementPolicy.DEFAULT, new StepModel(Sims.TABLE), true, w).run();
    }

    @Test
    void rankingVictimsByLostAcceleratorSecondsThrowsAwayLessTrainingThanSizeThenStartTime() {
        SimRecorder cost = run(VictimOrder.COST);
        SimRecorder kube = run(VictimOrder.PRIORITY_SIZE_START);
        double lostCost = cost.lostDeviceSec(SimRecorder.Ending.PREEMPTED) / 3600;
        double lostKube = kube.lostDeviceSec(SimRecorder.Ending.PREEMPTED) / 3600;
        System.out.printf("preemption example: cost order %d preemptions, %.2f device-hours lost; priority-size-start "
                + "%d preemptions, %.2f device-hours lost (%.1fx)%n", cost.preemptions(), lostCost, kube.preemptions(),
                lostKube, lostKube / Math.max(lostCost, 1e-9));
        assertThat(cost.preemptions()).as("the trace makes preemption decide something").isGreaterThan(20);
        assertThat(kube.preemptions()).isGreaterThan(20);
        assertThat(lostCost).isLessThan(lostKube);
        assertThat(cost.jobs()).allMatch(t -> t.state != JobState.FAILED);
    }
}
