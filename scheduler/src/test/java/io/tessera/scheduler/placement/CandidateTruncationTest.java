package io.tessera.scheduler.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.ChipType;
import io.tessera.config.JobSpec;
import io.tessera.config.Precision;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The search over {@link SlotSource}'s shortened candidates (at most {@code max} slots per chip
 * type, one node per distinct slot count for one-node gangs) chooses exactly what the search over
 * every slot and every node's run chooses; and a snapshot derived by edits keeps slot orders equal
 * to a fresh build's. Seeded random fleets with zones, several devices per node and several chip
 * types per node.
 */
class CandidateTruncationTest {
    private static final List<String> CHIPS = List.of("ascend-910b", "nvidia-h20", "nvidia-h100", "nvidia-a100",
            "acme-tpx1");

    @Test
    void shortenedCandidatesChooseWhatAllSlotsChoose() {
        Random random = new Random(7);
        int compared = 0;
        for (int trial = 0; trial < 400; trial++) {
            ClusterSnapshot snapshot = new ClusterSnapshot(Fleet.CATALOG, nodes(random, 5 + random.nextInt(60)));
            int dps = List.of(1, 2, 4, 8).get(random.nextInt(4));
            int min = 1 + random.nextInt(6);
            int max = min + random.nextInt(random.nextBoolean() ? 4 : 40);
            double cap = random.nextInt(3) == 0 ? 0.5 + random.nextInt(4) / 10.0 : 1.0;
            JobSpec job = Fleet.job(min, max, dps, 4096, "precisions: [fp8, bf16]\nvendorPolicy: {maxVendorShare: "
                    + cap + "}\n");
            List<ChipType> eligible = new ArrayList<>(PlacementEngine.presentChips(snapshot).values());
            LinkModel link = new LinkModel(PlacementPolicy.DEFAULT.network());
            for (Precision p : job.precisions()) {
                GangSearch search = new GangSearch(job, link, cap, 1, LinkModel.gradientBytes(job, p));
                ThroughputModel model = PlacementPolicy.DEFAULT.throughput();
                Optional<Selection> shortened = search.best(
                        new SlotSource(snapshot, dps).candidates(job, eligible, p, model, max));
                Optional<Selection> full = search.best(everything(snapshot, job, eligible, p, model));
                assertThat(shortened.isPresent()).as("trial %d", trial).isEqualTo(full.isPresent());
                if (full.isPresent()) {
                    assertThat(shortened.get().throughput()).as("trial %d", trial).isEqualTo(full.get().throughput());
                    assertThat(shortened.get().slots()).as("trial %d", trial).isEqualTo(full.get().slots());
                    compared++;
                }
            }
        }
        assertThat(compared).isGreaterThan(300);
    }

    @Test
    void derivedSnapshotsKeepOrdersEqualToAFreshBuild() {
        Random random = new Random(11);
        ClusterSnapshot snapshot = new ClusterSnapshot(Fleet.CATALOG, nodes(random, 80));
        for (int step = 0; step < 300; step++) {
            for (String chip : CHIPS) {
                snapshot.order(chip, 4); // warm the orders a derived snapshot may carry over
            }
            List<NodeView> pool = nodes(random, 80);
            List<NodeView> changed = IntStream.range(0, 1 + random.nextInt(3))
                    .mapToObj(i -> pool.get(random.nextInt(pool.size()))).toList();
            List<String> removed = random.nextInt(4) == 0 ? List.of(String.format("n%03d", random.nextInt(80))) : List.of();
            snapshot = snapshot.with(changed, removed);
            ClusterSnapshot fresh = new ClusterSnapshot(Fleet.CATALOG, snapshot.nodes());
            JobSpec job = Fleet.job(1, 1000, 4, 4096, "");
            List<ChipType> eligible = new ArrayList<>(PlacementEngine.presentChips(fresh).values());
            for (Precision p : List.of(Precision.BF16)) {
                ThroughputModel model = PlacementPolicy.DEFAULT.throughput();
                assertThat(new SlotSource(snapshot, 4).candidates(job, eligible, p, model))
                        .as("step %d", step).isEqualTo(new SlotSource(fresh, 4).candidates(job, eligible, p, model));
            }
        }
    }

    /** Every slot, and every node's run of one chip type's slots as a one-node candidate. */
    private static SlotSource.Candidates everything(ClusterSnapshot snapshot, JobSpec job, List<ChipType> eligible,
                                                    Precision p, ThroughputModel model) {
        List<Slot> all = SlotSource.slots(snapshot, job, eligible, p, model);
        List<List<Slot>> runs = new ArrayList<>();
        for (Slot s : all) {
            List<Slot> last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
            if (last != null && last.get(0).node() == s.node() && last.get(0).chip() == s.chip()) {
                last.add(s);
            } else {
                runs.add(new ArrayList<>(List.of(s)));
            }
        }
        return new SlotSource.Candidates(all, runs);
    }

    /** Nodes n000.. with 1 to 16 devices of one or two chip types, partly taken, in four zones. */
    private static List<NodeView> nodes(Random random, int count) {
        List<NodeView> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Map<String, List<Integer>> free = new TreeMap<>();
            int types = random.nextInt(5) == 0 ? 2 : 1;
            for (int t = 0; t < types; t++) {
                int devices = List.of(4, 8, 16).get(random.nextInt(3));
                int taken = random.nextInt(3) == 0 ? random.nextInt(devices) : 0;
                free.put(CHIPS.get(random.nextInt(CHIPS.size())),
                        IntStream.range(taken + t * 16, devices + t * 16).boxed().toList());
            }
            out.add(new NodeView(String.format("n%03d", i), "10.0.0." + i, Map.of("zone", "z" + random.nextInt(4)),
                    free));
        }
        return out;
    }
}
