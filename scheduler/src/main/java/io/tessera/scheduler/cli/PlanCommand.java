package io.tessera.scheduler.cli;

import io.tessera.config.ChipCatalog;
import io.tessera.config.Documents;
import io.tessera.config.JobSpec;
import io.tessera.config.JobSpecParser;
import io.tessera.config.ValidationException;
import io.tessera.scheduler.api.PlanView;
import io.tessera.scheduler.placement.PlacementEngine;
import io.tessera.scheduler.placement.PlacementResult;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tessera plan --cluster FILE --job FILE}: places a job on a what-if cluster and prints the
 * plan (a table, or JSON with {@code --json}). Nothing runs and no scheduler is needed.
 * Exit 0 with a plan, 1 when the job does not fit, 2 for bad input.
 */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Dry-run placement of a job on a cluster described in a file (what if I add 64 H20s?).")
final class PlanCommand implements Callable<Integer> {
    @Option(names = "--cluster", required = true, description = "cluster file (YAML; see docs/planning.md)")
    Path cluster;

    @Option(names = "--job", required = true, description = "job spec file (YAML or JSON)")
    Path job;

    @Option(names = "--json", description = "print the plan as JSON")
    boolean json;

    @Option(names = "--catalog", description = "extra chip catalog file")
    Path catalogFile;

    @Override
    public Integer call() throws Exception {
        ChipCatalog catalog;
        ClusterFile.Loaded loaded;
        JobSpec spec;
        try {
            catalog = ChipCatalog.load(Optional.ofNullable(catalogFile));
            loaded = ClusterFile.load(cluster, catalog);
            spec = new JobSpecParser(catalog).parse(Files.readAllBytes(job), "application/yaml");
        } catch (ValidationException e) {
            e.errors().forEach(err -> System.err.println("tessera plan: " + err));
            return 2;
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            System.err.println("tessera plan: " + e.getMessage());
            return 2;
        }
        PlacementResult result = new PlacementEngine().place(loaded.snapshot(), "what-if", spec, loaded.policy());
        PlanView view = PlanView.of(result);
        if (json) {
            System.out.println(Documents.json().writerWithDefaultPrettyPrinter().writeValueAsString(view));
        } else {
            print(view, System.out);
        }
        return view.feasible() ? 0 : 1;
    }

    private static void print(PlanView v, PrintStream out) {
        if (!v.feasible()) {
            out.println("no placement: " + v.summary());
            v.chips().forEach(c -> out.println("  " + c.veto()));
            return;
        }
        out.printf(Locale.ROOT, "precision %s, %d shards, predicted %.1f samples/s, %.3f s/step (%.3f s all-reduce)%n",
                v.precision(), v.shards().size(), v.predictedSamplesPerSec(), v.stepTimeSec(), v.communicationSec());
        StringBuilder shares = new StringBuilder("vendor shares:");
        v.vendorShares().forEach((k, s) -> shares.append(String.format(Locale.ROOT, " %s %.1f%%", k, 100 * s)));
        out.println(shares);
        out.printf("%-16s %-7s %-10s %-16s %s%n", "CHIP TYPE", "SHARDS", "PRECISION", "SAMPLES/S/SHARD", "NOTE");
        v.chips().forEach(c -> out.printf(Locale.ROOT, "%-16s %-7d %-10s %-16s %s%n", c.chipType(), c.shards(),
                c.precision() == null ? "-" : c.precision(),
                c.samplesPerSecPerShard() == null ? "-" : String.format(Locale.ROOT, "%.2f", c.samplesPerSecPerShard()),
                c.veto() == null ? "used" : c.veto().reason().name().toLowerCase(Locale.ROOT) + ": " + c.veto().detail()));
    }
}
