package io.tessera.scheduler.cli;

import io.tessera.config.ChipCatalog;
import io.tessera.config.ValidationError;
import io.tessera.config.PreemptionConfig;
import io.tessera.config.ValidationException;
import io.tessera.scheduler.placement.NodeView;
import io.tessera.scheduler.placement.PlacementPolicy;
import io.tessera.scheduler.sim.ThroughputTable;
import io.tessera.scheduler.sim.Workload;
import io.tessera.scheduler.sim.WorkloadFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/** The input options {@code simulate} and {@code simulate sweep} share, and their loading. */
final class SimulationInputs {
    @Option(names = "--cluster", description = "cluster file, the what-if format of `tessera plan`")
    Path cluster;

    @Option(names = "--workload", description = "workload file (docs/simulation.md)")
    Path workload;

    @Option(names = "--catalog", description = "extra chip catalog file")
    Path catalogFile;

    @Option(names = "--throughputs", description = "measured throughput per job class and chip (Gavel's "
            + "simulation_throughputs.json, or {classes: {NAME: {CHIP: steps/s}}})")
    Path throughputs;

    @Option(names = "--seed", description = "overrides the workload's seed")
    Long seed;

    @Option(names = "--victim-order", description = "overrides the workload's preemption.victimOrder: cost or "
            + "priority-size-start")
    String victimOrder;

    @Option(names = "--recovery", description = "ladder (the default: each job recovers as its recovery: declares) or "
            + "gang (every failure restarts the gang, whatever the jobs declare), to compare the two on one run")
    String recovery;

    /** {@code w}, with its victims ranked as {@code --victim-order} says and its recovery as {@code --recovery} says. */
    Workload overrides(Workload w) {
        Workload out = w;
        if (victimOrder != null) {
            try {
                out = out.withVictimOrder(new PreemptionConfig(victimOrder, null).order());
            } catch (ValidationException e) {
                throw new ValidationException("--victim-order", e.errors().get(0).message());
            }
        }
        if (recovery != null && !recovery.equals("ladder") && !recovery.equals("gang")) {
            throw new ValidationException("--recovery", "must be ladder or gang, got '" + recovery + "'");
        }
        return "gang".equals(recovery) ? out.withGangRecoveryOnly() : out;
    }

    /** What {@code --recovery} chose: ladder, unless it said gang. */
    String recoveryMode() {
        return "gang".equals(recovery) ? "gang" : "ladder";
    }

    record Loaded(ChipCatalog catalog, List<NodeView> nodes, PlacementPolicy policy, ThroughputTable table,
                  Workload workload) {
    }

    boolean policy(String name) {
        if (!name.equals("aware") && !name.equals("agnostic")) {
            throw new ValidationException("--policy", "must be aware or agnostic, got '" + name + "'");
        }
        return name.equals("aware");
    }

    /**
     * Loads everything; a {@link ValidationException} names the file and field at fault. (The
     * options are checked here rather than by picocli, so that {@code simulate sweep} does not
     * need them twice.)
     */
    Loaded load(Double jobsPerHour) {
        if (cluster == null || workload == null) {
            throw new ValidationException(cluster == null ? "--cluster" : "--workload", "is required");
        }
        ChipCatalog catalog = prefixed(catalogFile, () -> ChipCatalog.load(Optional.ofNullable(catalogFile)));
        ClusterFile.Loaded c = prefixed(cluster, () -> ClusterFile.load(cluster, catalog));
        ThroughputTable table = throughputs == null ? null : ThroughputTable.load(throughputs, catalog);
        Workload w = WorkloadFile.load(workload, catalog, table, c.snapshot().nodes(), seed, jobsPerHour);
        return new Loaded(catalog, c.snapshot().nodes(), c.policy(), table, w);
    }

    private static <T> T prefixed(Path file, Supplier<T> load) {
        try {
            return load.get();
        } catch (ValidationException e) {
            throw new ValidationException(e.errors().stream().map(err -> new ValidationError(
                    (file == null ? "" : file.getFileName() + ": ") + err.field(), err.message())).toList());
        }
    }
}
