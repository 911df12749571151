package io.tessera.bench;

import io.tessera.scheduler.policy.AllocationRound;
import io.tessera.scheduler.policy.AllocationRound.Allocation;
import io.tessera.scheduler.policy.AllocationRound.Fleet;
import io.tessera.scheduler.policy.AllocationRound.JobClass;
import io.tessera.scheduler.policy.AllocationRound.Objective;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One allocation round's solve: 10,000 runnable jobs on 9,000 nodes of 8 devices over the 7 chip
 * types of {@link Fleets} (about 10,300 devices each), in two queues, one with a quota. The jobs
 * fall into {@code classes} classes of identical jobs (Gavel's workloads have 26 job types at 4
 * gang sizes: about 100; a fleet whose every job has its own learned profile: up to one per job),
 * each with seeded throughputs per chip type (one type in five unusable) and a gang of 1 to 8
 * devices. Timed: {@link AllocationRound#solve} for each objective.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class AllocationRoundBench {
    @Param({"26", "104", "300"})
    public int classes;

    @Param({"MAX_MIN_FAIRNESS", "MAX_TOTAL_THROUGHPUT"})
    public Objective objective;

    private List<JobClass> jobs;
    private Fleet fleet;

    @Setup
    public void setup() {
        Random rnd = new Random(5);
        int[] counts = new int[classes];
        for (int j = 0; j < 10_000; j++) {
            counts[j < classes ? j : rnd.nextInt(classes)]++;
        }
        jobs = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            Map<String, Double> tput = new HashMap<>();
            for (int t = 0; t < Fleets.CHIPS.size(); t++) {
                if (rnd.nextInt(5) > 0) {
                    tput.put(Fleets.CHIPS.get(t), 1 + rnd.nextDouble() * 50 * (1 + t % 3));
                }
            }
            if (tput.isEmpty()) {
                tput.put(Fleets.CHIPS.get(0), 1.0);
            }
            jobs.add(new JobClass("c" + c, counts[c], 1 << rnd.nextInt(4), "q" + (c % 2), 1, tput));
        }
        Map<String, Integer> devices = new HashMap<>();
        Map<String, Double> tflops = new HashMap<>();
        for (int t = 0; t < Fleets.CHIPS.size(); t++) {
            devices.put(Fleets.CHIPS.get(t), 9_000 * 8 / Fleets.CHIPS.size());
            tflops.put(Fleets.CHIPS.get(t), 100.0 + 100 * t);
        }
        fleet = new Fleet(devices, tflops, Map.of("q0", 2_000_000.0));
    }

    @Benchmark
    public Allocation solve() {
        return AllocationRound.solve(jobs, fleet, objective);
    }
}
