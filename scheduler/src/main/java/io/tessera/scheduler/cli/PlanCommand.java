package io.tessera.scheduler.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.io.UncheckedIOException;
import io.tessera.config.ChipCatalog;
import io.tessera.config.Documents;
import io.tessera.config.JobSpec;
import io.tessera.config.JobSpecParser;
import io.tessera.config.ValidationException;
import io.tessera.scheduler.api.PlanView;
import io.tessera.scheduler.placement.PlacementEngine;
import io.tessera.scheduler.placement.PlacementResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.scheduler.cli.client.ApiException;
import io.tessera.scheduler.cli.client.ClientOptions;
import io.tessera.scheduler.cli.client.Exit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tessera plan --job FILE [--cluster FILE]}: places a job and prints the plan (a table, or
 * JSON with {@code --json}); nothing runs. With {@code --cluster}, on a what-if cluster described
 * in a file, with no scheduler needed; without, on the live cluster's free capacity now
 * ({@code POST /v1/plan}). Exit 0 with a plan, 1 when the job does not fit, 2 for bad input,
 * and the client codes ({@link Exit}) for the live cluster.
 */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Dry-run placement of a job: on the live cluster, or on one described in a file (what if I add 64 H20s?).")
final class PlanCommand implements Callable<Integer> {
    @Option(names = "--cluster", description = "what-if cluster file (YAML; see docs/planning.md); default: the live cluster")
    Path cluster;

    @Option(names = "--job", required = true, description = "job spec file (YAML or JSON)")
    Path job;

    @Mixin
    ClientOptions options;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec command;

    @Option(names = "--catalog", description = "extra chip catalog file")
    Path catalogFile;

    @Override
    public Integer call() throws Exception {
        if (cluster == null) {
            return live();
        }
        ChipCatalog catalog;
        ClusterFile.Loaded loaded;
        JobSpec spec;
        try {
            catalog = ChipCatalog.load(Optional.ofNullable(catalogFile));
            loaded = ClusterFile.load(cluster, catalog);
            spec = new JobSpecParser(catalog).parse(Files.readAllBytes(job), "application/yaml");
        } catch (ValidationException e) {
            e.errors().forEach(err -> command.commandLine().getErr().println("tessera plan: " + err));
            return 2;
        } catch (IOException | UncheckedIOException e) {
            command.commandLine().getErr().println("tessera plan: " + e.getMessage());
            return 2;
        }
        PlacementResult result = new PlacementEngine().place(loaded.snapshot(), "what-if", spec, loaded.policy());
        return show(PlanView.of(result, spec));
    }

    /** The plan the live scheduler would make now. */
    private int live() throws Exception {
        try {
            byte[] body = Files.readAllBytes(job);
            String type = job.toString().endsWith(".json") ? "application/json" : "application/yaml";
            JsonNode answer = options.client().post("/v1/plan", new String(body, StandardCharsets.UTF_8), type);
            return show(Documents.json().treeToValue(answer, PlanView.class));
        } catch (ApiException e) {
            command.commandLine().getErr().println("tessera plan: " + e.getMessage());
            e.details().forEach(d -> command.commandLine().getErr().println("  " + d));
            return Exit.of(e);
        } catch (ClientOptions.BadConfig e) {
            command.commandLine().getErr().println("tessera plan: " + e.getMessage());
            return Exit.USAGE;
        } catch (IOException e) {
            command.commandLine().getErr().println("tessera plan: " + e.getMessage());
            return Exit.UNAVAILABLE;
        }
    }

    private int show(PlanView view) throws Exception {
        PrintWriter out = command.commandLine().getOut();
        if (options.json) {
            out.println(Documents.json().writerWithDefaultPrettyPrinter().writeValueAsString(view));
        } else {
            print(view, out);
        }
        out.flush();
        return view.feasible() ? 0 : 1;
    }

    private static void print(PlanView v, PrintWriter out) {
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
