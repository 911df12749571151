package io.tessera.scheduler.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.tessera.scheduler.policy.AllocationRound.Allocation;
import io.tessera.scheduler.policy.AllocationRound.Fleet;
import io.tessera.scheduler.policy.AllocationRound.JobClass;
import io.tessera.scheduler.policy.AllocationRound.Objective;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * The round's linear program over generated fleets and job classes: capacity, a job's round, the
 * chips it cannot use, vendor caps and queue quotas are never exceeded, and on its own objective the solver
 * does at least as well as a greedy allocation (each class in turn takes its fastest chips).
 */
class AllocationRoundPropertiesTest {
    private static final List<String> CHIPS = List.of("k80", "p100", "v100", "h20");
    private static final Map<String, Double> TFLOPS = Map.of("k80", 4.0, "p100", 9.0, "v100", 14.0, "h20", 40.0);
    private static final Map<String, String> VENDORS = Map.of("k80", "a", "p100", "a", "v100", "b", "h20", "c");
    private static final double EPS = 1e-6;

    private static List<JobClass> classes(Random rnd, int n, boolean capped) {
        List<JobClass> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, Double> tput = new HashMap<>();
            for (String chip : CHIPS) {
                if (rnd.nextInt(5) > 0) { // some chip types unusable (memory, exclusions)
                    tput.put(chip, 1 + rnd.nextDouble() * 99 * (1 + CHIPS.indexOf(chip)));
                }
            }
            out.add(new JobClass("c" + i, 1 + rnd.nextInt(6), 1 << rnd.nextInt(4), "q" + rnd.nextInt(2),
                    0.5 + rnd.nextDouble(), tput, capped && rnd.nextBoolean() ? 0.4 + 0.5 * rnd.nextDouble() : 1));
        }
        return out;
    }

    private static Fleet fleet(Random rnd, boolean quotas) {
        Map<String, Integer> devices = new HashMap<>();
        CHIPS.forEach(c -> devices.put(c, rnd.nextInt(40)));
        return new Fleet(devices, TFLOPS, quotas ? Map.of("q0", 50.0 + rnd.nextInt(300)) : Map.of(), VENDORS);
    }

    /** Each class in turn, its jobs take as much of their fastest usable chip types as is left. */
    private static Allocation greedy(List<JobClass> classes, Fleet fleet) {
        Map<String, Double> left = new HashMap<>();
        fleet.devices().forEach((k, v) -> left.put(k, v.doubleValue()));
        Map<String, Map<String, Double>> out = new HashMap<>();
        for (JobClass c : classes) {
            Map<String, Double> f = new HashMap<>();
            double need = 1;
            List<String> byTput = new ArrayList<>(c.throughput().keySet());
            byTput.sort((a, b) -> Double.compare(c.throughput().get(b), c.throughput().get(a)));
            for (String chip : byTput) {
                double take = Math.min(need, left.getOrDefault(chip, 0.0) / (c.jobs() * c.devicesPerJob()));
                if (take > 0 && c.throughput().get(chip) > 0) {
                    f.put(chip, take);
                    left.merge(chip, -take * c.jobs() * c.devicesPerJob(), Double::sum);
                    need -= take;
                }
            }
            out.put(c.key(), f);
        }
        return new Allocation(out, 0, false);
    }

    private static double objective(Allocation a, List<JobClass> classes, Objective o) {
        return o == Objective.MAX_TOTAL_THROUGHPUT ? classes.stream().mapToDouble(c -> c.jobs() * a.normalized(c)).sum()
                : classes.stream().filter(c -> c.best() > 0).mapToDouble(c -> a.normalized(c) / c.weight()).min().orElse(0);
    }

    private static void feasible(Allocation a, List<JobClass> classes, Fleet fleet) {
        Map<String, Double> used = new HashMap<>();
        Map<String, Double> queueTflops = new HashMap<>();
        for (JobClass c : classes) {
            Map<String, Double> f = a.fractions().getOrDefault(c.key(), Map.of());
            assertThat(f.values().stream().mapToDouble(Double::doubleValue).sum()).isLessThanOrEqualTo(1 + EPS);
            Map<String, Double> byVendor = new HashMap<>();
            f.forEach((chip, x) -> byVendor.merge(VENDORS.get(chip), x * c.throughput().get(chip), Double::sum));
            double whole = byVendor.values().stream().mapToDouble(Double::doubleValue).sum();
            byVendor.forEach((v, t) -> assertThat(t).as("vendor %s's part of %s", v, c.key())
                    .isLessThanOrEqualTo(c.maxVendorShare() * whole + 1e-6 * (1 + whole)));
            f.forEach((chip, x) -> {
                assertThat(c.throughput().getOrDefault(chip, 0.0)).as("a chip it cannot use").isPositive();
                used.merge(chip, x * c.jobs() * c.devicesPerJob(), Double::sum);
                queueTflops.merge(c.queue(), x * c.jobs() * c.devicesPerJob() * TFLOPS.get(chip), Double::sum);
            });
        }
        used.forEach((chip, n) -> assertThat(n).as(chip).isLessThanOrEqualTo(fleet.devices().get(chip) + EPS));
        fleet.quotaTflops().forEach((q, quota) -> assertThat(queueTflops.getOrDefault(q, 0.0)).as(q)
                .isLessThanOrEqualTo(quota + 1e-4));
    }

    @Property(tries = 150)
    void theRoundIsFeasibleAndAtLeastAsGoodAsGreedyOnItsObjective(@ForAll @LongRange(min = 0, max = 1_000_000) long seed,
                                                                  @ForAll @IntRange(min = 1, max = 12) int n) {
        Random rnd = new Random(seed);
        for (boolean limited : new boolean[] {false, true}) { // quotas and vendor caps, or neither
            List<JobClass> classes = classes(rnd, n, limited);
            Fleet fleet = fleet(rnd, limited);
            for (Objective o : Objective.values()) {
                Allocation a = AllocationRound.solve(classes, fleet, o);
                assertThat(a.optimal()).as(o.name()).isTrue();
                feasible(a, classes, fleet);
                if (!limited) { // greedy knows nothing of quotas or vendor caps
                    assertThat(objective(a, classes, o)).as(o.name())
                            .isGreaterThanOrEqualTo(objective(greedy(classes, fleet), classes, o) - 1e-5);
                }
                assertThat(a.objective()).as("the reported objective is the allocation's").isCloseTo(
                        objective(a, classes, o), offset(1e-3 + 1e-4 * a.objective()));
            }
        }
    }

    @Test
    void maxMinFairnessSharesTheFastChipsBetweenJobsThatBothPreferThem() {
        // Two single-device jobs, one V100 and one K80. A gains 10x on the V100, B only 2x. Max-min time-shares
        // the V100 so that both reach the same fraction of their best; max-total gives the V100 to A.
        JobClass a = new JobClass("a", 1, 1, "q", 1, Map.of("v100", 10.0, "k80", 1.0));
        JobClass b = new JobClass("b", 1, 1, "q", 1, Map.of("v100", 2.0, "k80", 1.0));
        Fleet fleet = new Fleet(Map.of("v100", 1, "k80", 1), TFLOPS, Map.of());
        Allocation fair = AllocationRound.solve(List.of(a, b), fleet, Objective.MAX_MIN_FAIRNESS);
        assertThat(fair.normalized(a)).isCloseTo(fair.normalized(b), offset(1e-4));
        assertThat(fair.objective()).isGreaterThan(0.5);
        Allocation total = AllocationRound.solve(List.of(a, b), fleet, Objective.MAX_TOTAL_THROUGHPUT);
        assertThat(total.fractions().get("a").get("v100")).isCloseTo(1.0, offset(1e-6));
        assertThat(total.objective()).isGreaterThan(objective(fair, List.of(a, b), Objective.MAX_TOTAL_THROUGHPUT) - 1e-6);
    }

    @Test
    void aVendorCapSplitsAJobsThroughputAcrossVendors() {
        // One job, as fast on H20 (vendor c) as on V100 (vendor b), at most 60% from one vendor: it cannot spend the
        // whole round on either, and no vendor carries more than 60% of what it gets.
        JobClass j = new JobClass("j", 1, 1, "q", 1, Map.of("v100", 10.0, "h20", 10.0), 0.6);
        Fleet fleet = new Fleet(Map.of("v100", 1, "h20", 1), TFLOPS, Map.of(), VENDORS);
        for (Objective o : Objective.values()) {
            Allocation a = AllocationRound.solve(List.of(j), fleet, o);
            double v100 = a.fractions().get("j").getOrDefault("v100", 0.0);
            double h20 = a.fractions().get("j").getOrDefault("h20", 0.0);
            assertThat(v100 + h20).as(o.name()).isCloseTo(1.0, offset(1e-6));
            assertThat(Math.max(v100, h20)).as(o.name()).isLessThanOrEqualTo(0.6 + 1e-6);
        }
    }
}
