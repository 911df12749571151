package io.tessera.scheduler.sim;

import io.tessera.config.ChipCatalog;
import io.tessera.scheduler.placement.NodeView;
import io.tessera.scheduler.placement.PlacementPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

/** Test helpers: the Gavel example catalog, the checked-in excerpt of Gavel's matrix, small fleets, workloads from text. */
final class Sims {
    static final Path GAVEL_CATALOG = Path.of("../examples/simulate/gavel/catalog.yaml");
    static final Path EXCERPT = Path.of("src/test/resources/sim/gavel-excerpt.json");
    static final ChipCatalog CATALOG = ChipCatalog.load(Optional.of(GAVEL_CATALOG));
    static final ThroughputTable TABLE = ThroughputTable.load(EXCERPT, CATALOG);

    private Sims() {
    }

    /** {@code count} nodes of {@code devices} devices of {@code chip}, named {@code prefix0..}. */
    static List<NodeView> nodes(String prefix, String chip, int count, int devices) {
        List<NodeView> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(new NodeView(prefix + i, "10.0.0." + i, Map.of(), Map.of(chip, IntStream.range(0, devices).boxed().toList())));
        }
        return out;
    }

    @SafeVarargs
    static List<NodeView> fleet(List<NodeView>... parts) {
        List<NodeView> out = new ArrayList<>();
        for (List<NodeView> p : parts) {
            out.addAll(p);
        }
        return out;
    }

    static Workload workload(Path dir, String yaml, List<NodeView> nodes, ChipCatalog catalog, ThroughputTable table) {
        try {
            Path f = dir.resolve("workload.yaml");
            Files.writeString(f, yaml);
            return WorkloadFile.load(f, catalog, table, nodes, null, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SimRecorder run(List<NodeView> nodes, Workload w, boolean aware) {
        return run(nodes, w, aware, CATALOG, TABLE);
    }

    static SimRecorder run(List<NodeView> nodes, Workload w, boolean aware, ChipCatalog catalog, ThroughputTable table) {
        return new Simulation(catalog, nodes, PlacementPolicy.DEFAULT, new StepModel(table), aware, w).run();
    }

    static SimRecorder.JobTrace job(SimRecorder rec, String id) {
        return rec.jobs().stream().filter(t -> t.job.id().equals(id)).findFirst().orElseThrow();
    }
}
