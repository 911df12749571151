package io.tessera.scheduler.placement;

import java.util.stream.IntStream;
import io.tessera.config.NetworkConfig;
import org.assertj.core.data.Offset;
import io.tessera.config.Precision;
import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.ChipType;
import io.tessera.config.JobSpec;
import io.tessera.config.wire.CommPlan;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Invariants of every plan's communication plan, over generated fleets and jobs: every rank is in
 * exactly one group; a group holds one vendor and one library and is led by its lowest rank;
 * leaders are unique; the bridge joins exactly the leaders, and only when there are several
 * groups; and the all-reduce time placement priced is what {@link LinkModel} gives for the plan's
 * own groups, so the cost model and the plan never disagree.
 */
class CommPlanPropertiesTest {
    private static final List<String> CHIPS = List.of("ascend-910b", "nvidia-h20", "nvidia-h100", "nvidia-a100",
            "acme-tpx1", "ascend-910c");
    private static final Function<String, ChipType> CATALOG = id -> Fleet.CATALOG.byId(id).orElseThrow();

    @Property(tries = 400)
    void groupsPartitionTheRanksAndTheCostModelPricesThePlansOwnShape(
            @ForAll("fleets") List<int[]> fleet, @ForAll @IntRange(min = 1, max = 8) int min,
            @ForAll @IntRange(min = 0, max = 12) int spread, @ForAll @IntRange(min = 1, max = 2) int dps,
            @ForAll @IntRange(min = 1, max = 3) int minVendors, @ForAll @IntRange(min = 40, max = 100) int capPercent) {
        Fleet f = new Fleet();
        for (int i = 0; i < fleet.size(); i++) {
            f.node("n" + i, CHIPS.get(fleet.get(i)[0]), fleet.get(i)[1]);
        }
        JobSpec job = Fleet.job(min, min + spread, dps, 2048, "precisions: [bf16]\nvendorPolicy: {maxVendorShare: "
                + capPercent / 100.0 + ", minVendors: " + minVendors + "}\n");
        PlacementResult r = new PlacementEngine().place(f.snapshot(), "job-c", job, PlacementPolicy.DEFAULT);
        if (!(r instanceof Plan plan)) {
            return;
        }
        CommPlan comm = plan.communication();
        int n = plan.shards().size();
        List<Integer> seen = new ArrayList<>();
        Set<Integer> leaders = new HashSet<>();
        Set<String> keys = new HashSet<>();
        for (CommPlan.Group g : comm.groups()) {
            seen.addAll(g.ranks());
            assertThat(g.leader()).isEqualTo(g.ranks().stream().min(Integer::compare).orElseThrow());
            assertThat(leaders.add(g.leader())).as("leaders are unique").isTrue();
            assertThat(keys.add(g.vendor() + "/" + g.library())).as("one group per vendor and library").isTrue();
            for (int rank : g.ranks()) {
                ChipType chip = CATALOG.apply(plan.shards().get(rank).chipType());
                assertThat(chip.vendor()).isEqualTo(g.vendor());
                assertThat(chip.collective()).isEqualTo(g.library());
            }
            assertThat(g.address()).isEqualTo(plan.shards().get(g.leader()).nodeAddress());
        }
        assertThat(seen).as("every rank in exactly one group").hasSize(n).containsExactlyInAnyOrderElementsOf(
                IntStream.range(0, n).boxed().toList());
        if (comm.groups().size() == 1) {
            assertThat(comm.bridge()).isNull();
        } else {
            assertThat(comm.bridge().ranks()).isEqualTo(comm.groups().stream().map(CommPlan.Group::leader).toList());
            assertThat(comm.bridge().transport()).isEqualTo("gloo"); // no gang here has every chip list flagcx
        }
        double priced = new LinkModel(PlacementPolicy.DEFAULT.network()).commSec(
                CommPlanner.shapes(comm, plan.shards(), CATALOG), LinkModel.gradientBytes(job, plan.precision()), dps);
        assertThat(plan.communicationSec()).isCloseTo(priced, Offset.offset(1e-12));
    }

    @Property(tries = 20)
    void theConfiguredBridgeIsUsedOnlyWhereEveryChipOfTheGangSupportsIt(@ForAll @IntRange(min = 1, max = 4) int perVendor) {
        ChipType tpx = CATALOG.apply("acme-tpx1");
        ChipType tpxFlagcx = new ChipType("acme-tpx1", tpx.vendor(), tpx.hbmGiB(), tpx.memoryBandwidthTBs(),
                tpx.peakTflops(), tpx.efficiency(), tpx.intraNodeLinkGBs(), tpx.visibilityEnv(), tpx.aliases(),
                tpx.chipsPerPackage(), tpx.collective(), List.of("flagcx"));
        List<ShardPlan> shards = new ArrayList<>();
        for (int i = 0; i < 2 * perVendor; i++) {
            String chip = i < perVendor ? "nvidia-h100" : "acme-tpx1";
            shards.add(new ShardPlan(i, chip + "-node", "10.0.0." + (i < perVendor ? 1 : 2), chip,
                    i < perVendor ? "nvidia" : "acme", List.of(i), Precision.BF16, 8, 1, 10));
        }
        NetworkConfig flagcx = new NetworkConfig(50.0, 12.5, "flagcx");
        Function<String, ChipType> supporting = id -> id.equals("acme-tpx1") ? tpxFlagcx : CATALOG.apply(id);
        assertThat(CommPlanner.plan(shards, supporting, flagcx).bridge().transport()).isEqualTo("flagcx");
        assertThat(CommPlanner.plan(shards, CATALOG, flagcx).bridge().transport())
                .as("the built-in acme chip lists no flagcx: the bridge falls back to Gloo").isEqualTo("gloo");
        CommPlan plan = CommPlanner.plan(shards, supporting, NetworkConfig.DEFAULT);
        assertThat(plan.bridge().transport()).isEqualTo("gloo");
        assertThat(plan.bridge().ranks()).containsExactly(0, perVendor);
        assertThat(plan.groups()).extracting(CommPlan.Group::library).containsExactly("nccl", "acme-ccl");
    }

    @Provide
    Arbitrary<List<int[]>> fleets() {
        Arbitrary<int[]> node = Arbitraries.integers().between(0, CHIPS.size() - 1)
                .flatMap(chip -> Arbitraries.integers().between(0, 8).map(free -> new int[] {chip, free}));
        return node.list().ofMinSize(1).ofMaxSize(10);
    }
}
