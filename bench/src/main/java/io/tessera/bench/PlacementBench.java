package io.tessera.bench;

import io.tessera.config.JobSpec;
import io.tessera.scheduler.placement.AgnosticBaseline;
import io.tessera.scheduler.placement.ClusterSnapshot;
import io.tessera.scheduler.placement.HomogeneousBaseline;
import io.tessera.scheduler.placement.PlacementEngine;
import io.tessera.scheduler.placement.PlacementPolicy;
import io.tessera.scheduler.placement.PlacementResult;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Placement decision latency on a 10,000-node x 8-device fleet of 7 chip types. The snapshot is
 * built in setup; only {@code place} is timed. The baselines run in the same process for ratios.
 * {@code tessera} places on one snapshot again and again, so the per-chip-type slot orders the
 * snapshot keeps are warm, as they are in the live loop for chip types the last commit did not
 * touch. {@code tesseraFreshSnapshot} places on a new snapshot each time, so every order is
 * worked out inside the timed call: the cost for a chip type a commit has just changed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PlacementBench {
    /**
     * large: a 1,024-shard job on the empty fleet. small: a 4-shard job. full90: the fleet 90% busy
     * and an elastic 256..1,024-shard job. capped: the large job with maxVendorShare 0.4.
     */
    @Param({"large", "small", "full90", "capped"})
    public String scenario;

    private ClusterSnapshot snapshot;
    private JobSpec job;
    private final PlacementEngine engine = new PlacementEngine();
    private final HomogeneousBaseline homogeneous = new HomogeneousBaseline();
    private final AgnosticBaseline agnostic = new AgnosticBaseline();

    @Setup
    public void setup() {
        switch (scenario) {
            case "large" -> {
                snapshot = Fleets.fleet(10_000, 0, 1);
                job = Fleets.job("1024", "");
            }
            case "small" -> {
                snapshot = Fleets.fleet(10_000, 0, 1);
                job = Fleets.job("4", "");
            }
            case "full90" -> {
                snapshot = Fleets.fleet(10_000, 0.9, 2);
                job = Fleets.job("{min: 256, max: 1024}", "");
            }
            case "capped" -> {
                snapshot = Fleets.fleet(10_000, 0, 1);
                job = Fleets.job("1024", "vendorPolicy: {maxVendorShare: 0.4}\n");
            }
            default -> throw new IllegalArgumentException(scenario);
        }
    }

    /** A new snapshot of the same nodes for every call, built outside the timed region. */
    @State(Scope.Thread)
    public static class Fresh {
        ClusterSnapshot snapshot;

        @Setup(Level.Invocation)
        public void copy(PlacementBench bench) {
            snapshot = new ClusterSnapshot(bench.snapshot.catalog(), bench.snapshot.nodes());
        }
    }

    @Benchmark
    public PlacementResult tesseraFreshSnapshot(Fresh fresh) {
        return engine.place(fresh.snapshot, "bench", job, PlacementPolicy.DEFAULT);
    }

    @Benchmark
    public PlacementResult tessera() {
        return engine.place(snapshot, "bench", job, PlacementPolicy.DEFAULT);
    }

    @Benchmark
    public PlacementResult homogeneous() {
        return homogeneous.place(snapshot, "bench", job, PlacementPolicy.DEFAULT);
    }

    @Benchmark
    public PlacementResult agnostic() {
        return agnostic.place(snapshot, "bench", job, PlacementPolicy.DEFAULT);
    }
}
