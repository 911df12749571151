package io.tessera.scheduler.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.JobSpec;
import io.tessera.config.Precision;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.PlacementResult.Unschedulable;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlacementEngineTest {
    private final Placer placer = new PlacementEngine();

    private PlacementResult place(Fleet fleet, JobSpec job) {
        return placer.place(fleet.snapshot(), "job-1", job, PlacementPolicy.DEFAULT);
    }

    private static Fleet threeVendors() {
        return new Fleet().node("ascend-1", "ascend-910b", 8).node("nvidia-1", "nvidia-h20", 8)
                .node("asic-1", "acme-tpx1", 8);
    }

    @Test
    void theDemoJobSpansAllThreeVendorsWithEqualStepTimes() {
        Plan plan = (Plan) place(threeVendors(), Fleet.job(6, 6, 4, 512, "precisions: [fp8, bf16]\n"));
        assertThat(plan.shards()).hasSize(6);
        assertThat(plan.shards()).extracting(ShardPlan::vendor).containsOnly("huawei", "nvidia", "acme")
                .contains("huawei", "nvidia", "acme");
        assertThat(plan.precision()).isEqualTo(Precision.BF16); // Ascend and the ASIC lack FP8
        assertThat(plan.shards().stream().mapToLong(ShardPlan::samplesPerStep).sum()).isEqualTo(512);
        double min = plan.shards().stream().mapToDouble(s -> s.samplesPerStep() / s.samplesPerSec()).min().orElseThrow();
        double max = plan.shards().stream().mapToDouble(s -> s.samplesPerStep() / s.samplesPerSec()).max().orElseThrow();
        // Equal up to rounding: one sample on the slowest shard.
        double slowest = plan.shards().stream().mapToDouble(ShardPlan::samplesPerSec).min().orElseThrow();
        assertThat(max - min).isLessThanOrEqualTo(1 / slowest + 1e-9);
    }

    @Test
    void fp8IsKeptWhenOnlyFp8ChipsAreUsedAndPaysOff() {
        Plan plan = (Plan) place(new Fleet().node("h100-1", "nvidia-h100", 8).node("ascend-1", "ascend-910b", 8),
                Fleet.job(1, 2, 8, 256, "precisions: [fp8, bf16]\n"));
        // Two H100 shards would be BF16 with Ascend in the mix; one FP8 H100 shard alone (1979 TFLOPS x 8)
        // beats H100 BF16 + Ascend BF16 (989 + 376) x 8.
        assertThat(plan.precision()).isEqualTo(Precision.FP8);
        assertThat(plan.shards()).extracting(ShardPlan::chipType).containsOnly("nvidia-h100");
        assertThat(plan.chips()).filteredOn(c -> c.chipType().equals("ascend-910b")).first()
                .satisfies(c -> assertThat(c.veto().reason()).isEqualTo(VetoReason.PRECISION));
    }

    @Test
    void vendorCapIsHonoured() {
        Fleet fleet = new Fleet().node("h100-1", "nvidia-h100", 8).node("h100-2", "nvidia-h100", 8)
                .node("ascend-1", "ascend-910b", 8);
        Plan plan = (Plan) place(fleet, Fleet.job(2, 3, 8, 300, "vendorPolicy: {maxVendorShare: 0.75}\n"));
        assertThat(plan.vendorShares().values()).allSatisfy(share -> assertThat(share).isLessThanOrEqualTo(0.75 + 1e-9));
        assertThat(plan.vendorShares()).containsKey("huawei");
    }

    @Test
    void minVendorsForcesASecondVendor() {
        Fleet fleet = new Fleet().node("h100-1", "nvidia-h100", 8).node("h100-2", "nvidia-h100", 8)
                .node("ascend-1", "ascend-910b", 8);
        Plan plan = (Plan) place(fleet, Fleet.job(2, 2, 8, 64, "vendorPolicy: {minVendors: 2}\n"));
        assertThat(plan.shards()).extracting(ShardPlan::vendor).containsExactlyInAnyOrder("nvidia", "huawei");
    }

    @Test
    void gangIsAllOrNothing() {
        PlacementResult r = place(new Fleet().node("a", "nvidia-h20", 8), Fleet.job(3, 4, 4, 64, ""));
        assertThat(r).isInstanceOf(Unschedulable.class);
        Unschedulable u = (Unschedulable) r;
        assertThat(u.summary()).contains("at least 3 shards").contains("holds 2");
        assertThat(u.vetoes()).extracting(Veto::reason).contains(VetoReason.INSUFFICIENT_DEVICES);
    }

    @Test
    void vetoesAreTypedPerChip() {
        Fleet fleet = new Fleet().node("a", "ascend-910a", 8).node("b", "ascend-910b4", 8).node("c", "nvidia-a100", 2)
                .node("d", "nvidia-h20", 8);
        // 13B parameters x 16 B / 4 devices = 48 GiB per device: too much for 32 GiB 910B4, fine for 96 GiB H20.
        JobSpec job = Fleet.job("name: t\ncommand: [w]\nshards: 1\ndevicesPerShard: 4\n"
                + "model: {parameters: 13B, tokensPerSample: 2048}\nglobalBatch: 8\nprecisions: [bf16]\n");
        Plan plan = (Plan) place(fleet, job);
        assertThat(plan.shards()).extracting(ShardPlan::chipType).containsExactly("nvidia-h20");
        assertThat(plan.chips()).extracting(c -> c.chipType() + ":" + (c.veto() == null ? "used" : c.veto().reason()))
                .contains("ascend-910a:PRECISION", "ascend-910b4:MEMORY", "nvidia-a100:INSUFFICIENT_DEVICES",
                        "nvidia-h20:used");
    }

    @Test
    void vendorsRestrictsPlacementToWholeVendors() {
        Plan plan = (Plan) place(threeVendors(), Fleet.job(1, 2, 4, 60, "vendors: [huawei]\n"));
        assertThat(plan.shards()).extracting(ShardPlan::vendor).containsOnly("huawei");
        assertThat(plan.chips()).filteredOn(c -> c.chipType().equals("nvidia-h20")).first()
                .satisfies(c -> assertThat(c.veto().detail()).contains("vendors/excludeVendors"));
        Plan not = (Plan) place(threeVendors(), Fleet.job(1, 2, 4, 60, "excludeVendors: [huawei, nvidia]\n"));
        assertThat(not.shards()).extracting(ShardPlan::vendor).doesNotContain("huawei", "nvidia");
    }

    @Test
    void chipTypesRestrictsPlacement() {
        Plan plan = (Plan) place(threeVendors(), Fleet.job(1, 6, 4, 60, "chipTypes: [nvidia-h20]\n"));
        assertThat(plan.shards()).extracting(ShardPlan::chipType).containsOnly("nvidia-h20");
        assertThat(plan.chips()).filteredOn(c -> c.chipType().equals("ascend-910b")).first()
                .satisfies(c -> assertThat(c.veto().reason()).isEqualTo(VetoReason.NOT_ALLOWED));
    }

    @Test
    void bestFitPrefersTheFullerNode() {
        Fleet fleet = new Fleet().node("roomy", "nvidia-h20", 8).node("snug", "nvidia-h20", 4);
        Plan plan = (Plan) place(fleet, Fleet.job(1, 1, 4, 8, ""));
        assertThat(plan.shards().get(0).node()).isEqualTo("snug");
    }

    @Test
    void noDeviceIsUsedTwiceAndTheSameInputGivesTheSamePlan() {
        Fleet fleet = threeVendors().node("nvidia-2", "nvidia-h20", 6);
        JobSpec job = Fleet.job(1, 16, 2, 999, "");
        Plan a = (Plan) place(fleet, job);
        Plan b = (Plan) place(fleet, job);
        assertThat(a).isEqualTo(b);
        Set<String> used = new HashSet<>();
        a.shards().forEach(s -> s.devices().forEach(d -> assertThat(used.add(s.node() + "/" + d)).isTrue()));
        assertThat(a.shards()).hasSize(15); // 4 + 4 + 4 + 3 two-device slots, under the maximum of 16
    }
}
