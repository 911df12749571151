package io.tessera.scheduler.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.ojalgo.optimisation.Expression;
import org.ojalgo.optimisation.ExpressionsBasedModel;
import org.ojalgo.optimisation.Optimisation;
import org.ojalgo.optimisation.Variable;

/**
 * One round of a heterogeneity-aware allocation, after Gavel (OSDI 2020): the fraction of the
 * round each runnable job should spend on each chip type, as the solution of a linear program
 * (ojAlgo), for one of two objectives:
 * <ul>
 *   <li>{@link Objective#MAX_MIN_FAIRNESS}: maximize the smallest weighted normalized throughput
 *       (a job's throughput under the allocation over its throughput on its best chip type all
 *       round), then, holding that, the total: Gavel's max-min fairness, made Pareto-efficient;</li>
 *   <li>{@link Objective#MAX_TOTAL_THROUGHPUT}: maximize the sum of normalized throughputs
 *       (Gavel's max-sum-throughput).</li>
 * </ul>
 * Jobs with the same throughputs, gang size, queue and weight form one {@link JobClass}; by
 * symmetry (the program is convex and the class's jobs are interchangeable) giving each the same
 * fractions loses nothing, so the program has one variable per class and chip type however many
 * jobs there are. Constraints: a job's fractions sum to at most 1; the devices its jobs hold on a
 * chip type over the round are at most that type's devices; a chip type a job cannot use
 * (throughput 0: its memory does not fit, its spec excludes the type) gets nothing; no vendor
 * carries more of a job's throughput than its {@code maxVendorShare}; a queue's normalized TFLOPS
 * stay within its quota. Pure.
 */
public final class AllocationRound {
    /** What the round optimizes. */
    public enum Objective { MAX_MIN_FAIRNESS, MAX_TOTAL_THROUGHPUT }

    /**
     * Identical runnable jobs.
     *
     * @param key           names the class in the result
     * @param jobs          how many jobs it holds
     * @param devicesPerJob the gang's devices (shards x devices per shard)
     * @param queue         their queue, for its quota
     * @param weight        each job's fair-share weight (its queue's weight over the queue's jobs, or 1)
     * @param throughput    samples/s of one job on each chip type, running alone all round; absent or 0: unusable
     * @param maxVendorShare the largest part of a job's throughput one vendor may carry over the round (1: no cap)
     */
    public record JobClass(String key, int jobs, int devicesPerJob, String queue, double weight,
                           Map<String, Double> throughput, double maxVendorShare) {
        public JobClass {
            throughput = Map.copyOf(throughput);
            if (jobs < 1 || devicesPerJob < 1 || !(weight > 0) || !(maxVendorShare > 0) || maxVendorShare > 1) {
                throw new IllegalArgumentException("class " + key + ": jobs, devices and weight must be positive, "
                        + "maxVendorShare in (0, 1]");
            }
        }

        /** With no vendor cap. */
        public JobClass(String key, int jobs, int devicesPerJob, String queue, double weight,
                        Map<String, Double> throughput) {
            this(key, jobs, devicesPerJob, queue, weight, throughput, 1);
        }

        /** Its throughput on its best chip type: what normalized throughput divides by. */
        public double best() {
            return throughput.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
        }
    }

    /**
     * The fleet a round shares out.
     *
     * @param devices         devices of each chip type
     * @param tflopsPerDevice each chip type's normalized TFLOPS, what quotas are stated in
     * @param quotaTflops     each queue's quota; a queue absent has none
     * @param vendors         each chip type's vendor, for vendor caps; a type absent is its own vendor
     */
    public record Fleet(Map<String, Integer> devices, Map<String, Double> tflopsPerDevice, Map<String, Double> quotaTflops,
                        Map<String, String> vendors) {
        public Fleet {
            devices = Map.copyOf(devices);
            tflopsPerDevice = Map.copyOf(tflopsPerDevice);
            quotaTflops = Map.copyOf(quotaTflops);
            vendors = Map.copyOf(vendors);
        }

        public Fleet(Map<String, Integer> devices, Map<String, Double> tflopsPerDevice, Map<String, Double> quotaTflops) {
            this(devices, tflopsPerDevice, quotaTflops, Map.of());
        }

        String vendor(String chip) {
            return vendors.getOrDefault(chip, chip);
        }
    }

    /**
     * The round's allocation.
     *
     * @param fractions for each class, the fraction of the round each of its jobs spends on each chip type
     * @param objective the objective's value (the smallest weighted normalized throughput, or the total)
     * @param optimal   whether the solver proved it optimal
     */
    public record Allocation(Map<String, Map<String, Double>> fractions, double objective, boolean optimal) {
        /** The normalized throughput one job of {@code c} gets. */
        public double normalized(JobClass c) {
            Map<String, Double> f = fractions.getOrDefault(c.key(), Map.of());
            double got = 0;
            for (Map.Entry<String, Double> e : f.entrySet()) {
                got += e.getValue() * c.throughput().getOrDefault(e.getKey(), 0.0);
            }
            return c.best() <= 0 ? 0 : got / c.best();
        }
    }

    private AllocationRound() {
    }

    /** The allocation of {@code fleet} to {@code classes} that optimizes {@code objective}. */
    public static Allocation solve(List<JobClass> classes, Fleet fleet, Objective objective) {
        List<JobClass> usable = classes.stream().filter(c -> c.best() > 0).toList();
        if (usable.isEmpty()) {
            return new Allocation(Map.of(), 0, true);
        }
        Program p = new Program(usable, fleet);
        if (objective == Objective.MAX_TOTAL_THROUGHPUT) {
            p.total.weight(1);
            Optimisation.Result r = p.model.maximise();
            return p.allocation(r, r.getValue());
        }
        Variable z = p.model.addVariable("z").lower(0).weight(1);
        for (int c = 0; c < usable.size(); c++) { // z <= normalized_c / weight_c
            p.normalized.get(c).set(z, -usable.get(c).weight()).lower(0);
        }
        Optimisation.Result first = p.model.maximise();
        double fairest = first.getValue();
        Program second = new Program(usable, fleet); // holding the fairest floor, the most in total
        for (int c = 0; c < usable.size(); c++) {
            second.normalized.get(c).lower(usable.get(c).weight() * fairest * (1 - 1e-6));
        }
        second.total.weight(1);
        Optimisation.Result r = second.model.maximise();
        return r.getState().isFeasible() ? second.allocation(r, fairest) : p.allocation(first, fairest);
    }

    /** The linear program's variables and shared constraints for one solve. */
    private static final class Program {
        final ExpressionsBasedModel model = new ExpressionsBasedModel();
        final List<JobClass> classes;
        final List<String> chips;
        final Variable[][] y;
        /** Per class: its normalized throughput, sum of y x throughput / best. */
        final List<Expression> normalized = new ArrayList<>();
        /** The sum of every job's normalized throughput. */
        final Expression total;

        Program(List<JobClass> classes, Fleet fleet) {
            this.classes = classes;
            Set<String> types = new TreeSet<>(fleet.devices().keySet());
            this.chips = List.copyOf(types);
            this.y = new Variable[classes.size()][chips.size()];
            total = model.addExpression("total");
            for (int c = 0; c < classes.size(); c++) {
                JobClass jc = classes.get(c);
                Expression one = model.addExpression("one-" + c).upper(1);
                Expression norm = model.addExpression("norm-" + c);
                for (int t = 0; t < chips.size(); t++) {
                    double tput = jc.throughput().getOrDefault(chips.get(t), 0.0);
                    y[c][t] = model.addVariable("y-" + c + "-" + t).lower(0).upper(tput > 0 ? 1 : 0);
                    one.set(y[c][t], 1);
                    norm.set(y[c][t], tput / jc.best());
                    total.set(y[c][t], jc.jobs() * tput / jc.best());
                }
                normalized.add(norm);
            }
            for (int t = 0; t < chips.size(); t++) {
                Expression cap = model.addExpression("cap-" + t).upper(fleet.devices().get(chips.get(t)));
                for (int c = 0; c < classes.size(); c++) {
                    cap.set(y[c][t], (double) classes.get(c).jobs() * classes.get(c).devicesPerJob());
                }
            }
            for (int c = 0; c < classes.size(); c++) {
                capVendors(c, fleet);
            }
            fleet.quotaTflops().forEach((queue, quota) -> {
                Expression q = model.addExpression("quota-" + queue).upper(quota);
                for (int c = 0; c < classes.size(); c++) {
                    if (classes.get(c).queue().equals(queue)) {
                        for (int t = 0; t < chips.size(); t++) {
                            q.set(y[c][t], (double) classes.get(c).jobs() * classes.get(c).devicesPerJob()
                                    * fleet.tflopsPerDevice().getOrDefault(chips.get(t), 0.0));
                        }
                    }
                }
            });
        }

        /** For each vendor: its chips' part of class {@code c}'s throughput <= maxVendorShare x the whole. */
        private void capVendors(int c, Fleet fleet) {
            JobClass jc = classes.get(c);
            if (jc.maxVendorShare() >= 1) {
                return;
            }
            Set<String> vendors = new TreeSet<>();
            chips.forEach(chip -> vendors.add(fleet.vendor(chip)));
            for (String v : vendors) {
                Expression cap = model.addExpression("vendor-" + c + "-" + v).upper(0);
                for (int t = 0; t < chips.size(); t++) {
                    double tput = jc.throughput().getOrDefault(chips.get(t), 0.0);
                    double mine = fleet.vendor(chips.get(t)).equals(v) ? tput : 0;
                    cap.set(y[c][t], mine - jc.maxVendorShare() * tput);
                }
            }
        }

        Allocation allocation(Optimisation.Result r, double objective) {
            Map<String, Map<String, Double>> out = new LinkedHashMap<>();
            for (int c = 0; c < classes.size(); c++) {
                Map<String, Double> f = new LinkedHashMap<>();
                for (int t = 0; t < chips.size(); t++) {
                    double v = r.doubleValue(c * chips.size() + t); // the y variables were added first, class-major
                    if (v > 1e-9) {
                        f.put(chips.get(t), Math.min(1, v));
                    }
                }
                out.put(classes.get(c).key(), Map.copyOf(f));
            }
            return new Allocation(out, objective, r.getState().isOptimal());
        }
    }
}
