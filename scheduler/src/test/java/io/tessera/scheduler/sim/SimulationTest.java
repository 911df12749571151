package io.tessera.scheduler.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.tessera.scheduler.model.EventType;
import io.tessera.config.LimitsConfig.RestartBackoff;
import io.tessera.config.ChipCatalog;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.placement.NodeView;
import io.tessera.scheduler.placement.PlacementPolicy;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulator end to end on small fleets, where every figure can be worked out by hand: run
 * times from the throughput table, queueing in arrival order, and the injected preemption,
 * worker failure and vendor outage going through the scheduler's own paths.
 */
class SimulationTest {
    private static final String RESNET = "ResNet-50 (batch size 64)";
    @TempDir
    Path dir;

    private static double rate(String cls, int shards, String chip) {
        return Sims.TABLE.stepsPerSec(cls, shards, chip).orElseThrow();
    }

    @Test
    void aJobRunsItsDurationOnTheReferenceChipAndTheTableSaysHowLongElsewhere() {
        String yaml = "options: {referenceChip: nvidia-v100}\njobs:\n  - {class: \"" + RESNET + "\", durationSec: 1000}\n";
        List<NodeView> v100 = Sims.nodes("v", "nvidia-v100", 1, 1);
        SimRecorder onV100 = Sims.run(v100, Sims.workload(dir, yaml, v100, Sims.CATALOG, Sims.TABLE), true);
        assertThat(Sims.job(onV100, "job-00000").jctSec()).isCloseTo(1000, offset(0.5));
        List<NodeView> k80 = Sims.nodes("k", "nvidia-k80", 1, 1);
        SimRecorder onK80 = Sims.run(k80, Sims.workload(dir, yaml, k80, Sims.CATALOG, Sims.TABLE), true);
        double expected = 1000 * rate(RESNET, 1, "nvidia-v100") / rate(RESNET, 1, "nvidia-k80");
        assertThat(Sims.job(onK80, "job-00000").jctSec()).isCloseTo(expected, offset(0.5));
        assertThat(Sims.job(onK80, "job-00000").chips).isEqualTo("nvidia-k80:1");
    }

    @Test
    void jobsWaitForTheDevicesAndStartInArrivalOrder() {
        String yaml = "options: {referenceChip: nvidia-v100}\njobs:\n"
                + "  - {at: 0, class: \"" + RESNET + "\", durationSec: 100}\n"
                + "  - {at: 1, class: \"" + RESNET + "\", durationSec: 100}\n"
                + "  - {at: 2, class: \"" + RESNET + "\", durationSec: 100}\n";
        List<NodeView> v100 = Sims.nodes("v", "nvidia-v100", 1, 1);
        SimRecorder rec = Sims.run(v100, Sims.workload(dir, yaml, v100, Sims.CATALOG, Sims.TABLE), true);
        assertThat(rec.jobs()).extracting(t -> Math.round(t.firstStartMs / 1000.0)).containsExactly(0L, 100L, 200L);
        assertThat(rec.jobs()).extracting(t -> Math.round(t.jctSec())).containsExactly(100L, 199L, 298L);
        assertThat(rec.busyNow()).containsEntry("nvidia-v100", 0);
    }

    @Test
    void theAwarePolicyPutsAJobWhereItRunsFastestAndTheAgnosticOneCannotTell() {
        String yaml = "options: {referenceChip: nvidia-v100}\njobs:\n  - {class: \"" + RESNET + "\", durationSec: 600}\n";
        List<NodeView> nodes = Sims.fleet(Sims.nodes("k", "nvidia-k80", 1, 1), Sims.nodes("p", "nvidia-p100", 1, 1),
                Sims.nodes("v", "nvidia-v100", 1, 1));
        SimRecorder aware = Sims.run(nodes, Sims.workload(dir, yaml, nodes, Sims.CATALOG, Sims.TABLE), true);
        assertThat(Sims.job(aware, "job-00000").chips).isEqualTo("nvidia-v100:1");
        assertThat(Sims.job(aware, "job-00000").jctSec()).isCloseTo(600, offset(0.5));
        SimRecorder agnostic = Sims.run(nodes, Sims.workload(dir, yaml, nodes, Sims.CATALOG, Sims.TABLE), false);
        String chip = Sims.job(agnostic, "job-00000").chips.split(":")[0];
        assertThat(Sims.job(agnostic, "job-00000").jctSec()).as("the job's run time follows the chip it got")
                .isCloseTo(600 * rate(RESNET, 1, "nvidia-v100") / rate(RESNET, 1, chip), offset(0.5));
    }

    @Test
    void anInjectedPreemptionRequeuesTheJobWithItsWorkKept() {
        String yaml = "options: {referenceChip: nvidia-v100, stopSec: 5}\njobs:\n"
                + "  - {class: \"" + RESNET + "\", durationSec: 1000}\nevents:\n  - {at: 300, preempt: {job: job-00000}}\n";
        List<NodeView> v100 = Sims.nodes("v", "nvidia-v100", 1, 1);
        SimRecorder rec = Sims.run(v100, Sims.workload(dir, yaml, v100, Sims.CATALOG, Sims.TABLE), true);
        SimRecorder.JobTrace t = Sims.job(rec, "job-00000");
        assertThat(t.state).isEqualTo(JobState.SUCCEEDED);
        assertThat(t.preemptions).isEqualTo(1);
        assertThat(t.attempts).isEqualTo(2);
        assertThat(t.jctSec()).as("1000 s of training plus the 5 s the workers took to stop").isCloseTo(1005, offset(1.0));
        assertThat(rec.preemptions()).isEqualTo(1);
    }

    @Test
    void aVictimThatCannotCheckpointOnStoppingKeepsOnlyItsLastPeriodicCheckpointAndSaysSo() {
        long steps = 10_000;
        double stepSec = 1 / rate(RESNET, 1, "nvidia-v100");
        for (String every : new String[] {", checkpointEverySteps: 1000", ""}) {
            String yaml = "options: {checkpointOnStop: false}\njobs:\n  - {class: \"" + RESNET + "\", steps: " + steps
                    + every + "}\nevents:\n  - {at: " + 3500 * stepSec + ", preempt: {job: job-00000}}\n";
            List<NodeView> v100 = Sims.nodes("v", "nvidia-v100", 1, 1);
            Simulation sim = new Simulation(Sims.CATALOG, v100, PlacementPolicy.DEFAULT, new StepModel(Sims.TABLE), true,
                    Sims.workload(dir, yaml, v100, Sims.CATALOG, Sims.TABLE));
            SimRecorder rec = sim.run();
            long kept = every.isEmpty() ? 0 : 3000;
            assertThat(Sims.job(rec, "job-00000").state).isEqualTo(JobState.SUCCEEDED);
            assertThat(rec.lostDeviceSec(SimRecorder.Ending.PREEMPTED)).as("steps since the checkpoint, thrown away")
                    .isCloseTo((3500 - kept) * stepSec, offset(2 * stepSec));
            assertThat(sim.records().get("job-00000").events()).filteredOn(e -> e.type() == EventType.PREEMPTED)
                    .extracting(JobEvent::message).as("the scheduler is told the checkpoint the job really resumes from")
                    .singleElement().asString().contains("its checkpoint at step " + kept + ";");
        }
    }

    @Test
    void aWorkerFailureLosesTheWorkSinceTheLastCheckpointAndCountsARestart() {
        long steps = 10_000;
        double stepSec = 1 / rate(RESNET, 1, "nvidia-v100");
        String yaml = "jobs:\n  - {class: \"" + RESNET + "\", steps: " + steps + ", checkpointEverySteps: 1000}\n"
                + "events:\n  - {at: " + 3500 * stepSec + ", fail: {job: job-00000, shard: 0}}\n";
        List<NodeView> v100 = Sims.nodes("v", "nvidia-v100", 1, 1);
        SimRecorder rec = Sims.run(v100, Sims.workload(dir, yaml, v100, Sims.CATALOG, Sims.TABLE), true);
        SimRecorder.JobTrace t = Sims.job(rec, "job-00000");
        assertThat(t.state).isEqualTo(JobState.SUCCEEDED);
        assertThat(t.attempts).isEqualTo(2);
        assertThat(t.preemptions).isZero();
        double backoffSec = RestartBackoff.DEFAULT.delayMs(1) / 1000.0; // the restart waits as the live scheduler's would
        assertThat(t.jctSec()).as("3,500 steps, of which 500 since the checkpoint at 3,000 are done again, after the backoff")
                .isCloseTo((steps + 500) * stepSec + backoffSec, offset(1.0));
    }

    @Test
    void aVendorOutageIsNoticedAfterTheHeartbeatTimeoutAndTheJobMovesToTheOtherVendor() {
        ChipCatalog builtIn = ChipCatalog.builtIn();
        List<NodeView> nodes = Sims.fleet(Sims.nodes("h20-", "nvidia-h20", 1, 8), Sims.nodes("910b-", "ascend-910b", 1, 8));
        String yaml = "options: {heartbeatTimeoutSec: 30}\njobs:\n  - {devicesPerShard: 8, steps: 1000, "
                + "checkpointEverySteps: 100, spec: {chipTypes: [nvidia-h20, ascend-910b]}}\n"
                + "events:\n  - {at: 60, down: {vendor: huawei}, forSec: 3600}\n";
        Workload w = Sims.workload(dir, yaml, nodes, builtIn, null);
        Simulation sim = new Simulation(builtIn, nodes, PlacementPolicy.DEFAULT,
                new StepModel(null), true, w);
        SimRecorder rec = sim.run();
        SimRecorder.JobTrace t = Sims.job(rec, "job-00000");
        assertThat(t.chips).as("first placed on the faster 910B node").isEqualTo("ascend-910b:8");
        assertThat(t.state).isEqualTo(JobState.SUCCEEDED);
        assertThat(t.attempts).isEqualTo(2);
        assertThat(sim.records().get("job-00000").placement().shards()).allMatch(s -> s.chipType().equals("nvidia-h20"));
        assertThat(sim.records().get("job-00000").events()).anyMatch(e -> e.type() == EventType.NODE_LOST);
    }
}
