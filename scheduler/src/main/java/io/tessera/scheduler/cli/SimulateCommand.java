package io.tessera.scheduler.cli;

import io.tessera.config.ChipCatalog;
import io.tessera.config.Documents;
import io.tessera.config.ValidationException;
import io.tessera.scheduler.sim.SimReport;
import io.tessera.scheduler.sim.SimRecorder;
import io.tessera.scheduler.sim.Simulation;
import io.tessera.scheduler.sim.StepModel;
import io.tessera.scheduler.sim.Summary;
import io.tessera.scheduler.sim.ThroughputTable;
import io.tessera.scheduler.sim.Workload;
import io.tessera.scheduler.sim.WorkloadFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tessera simulate}: runs the scheduler's own policy code on a workload in virtual time
 * (docs/simulation.md) and writes {@code summary.json}, {@code jobs.csv} and {@code report.html}
 * to {@code --out}. Exit 0 when it ran, 2 for bad input (each error names its file and field).
 */
@Command(name = "simulate", mixinStandardHelpOptions = true, subcommands = SweepCommand.class,
        description = "Simulate a workload on a what-if cluster with the real scheduling policy, in virtual time.")
final class SimulateCommand implements Callable<Integer> {
    @Mixin
    SimulationInputs in;

    @Option(names = "--policy", defaultValue = "aware",
            description = "aware (measured throughput) or agnostic (every chip equal, Gavel's baseline); default aware")
    String policy;

    @Option(names = "--out", description = "directory for summary.json, jobs.csv, report.html")
    Path out;

    @Override
    public Integer call() {
        try {
            if (out == null) {
                throw new ValidationException("--out", "is required: the directory for summary.json, jobs.csv and report.html");
            }
            SimulationInputs.Loaded l = in.load(null);
            Run r = run(l, in.policy(policy), in.overrides(l.workload()));
            Map<String, Object> summary = r.summary();
            summary.put("recoveryMode", in.recoveryMode());
            write(out, l.catalog(), summary, r.recorder());
            System.out.printf(Locale.ROOT, "%s: %s jobs, average JCT %.1f s, p99 %.1f s, makespan %.1f s, "
                            + "utilization %s, %s preemptions (%s device-hours lost), ETTR %s, %.1f s wall%n", policy,
                    summary.get("jobs"), summary.get("avgJctSec"), summary.get("p99JctSec"), summary.get("makespanSec"),
                    ((Map<?, ?>) summary.get("utilization")).get("fleet"), summary.get("preemptions"),
                    summary.get("preemptionLostDeviceHours"), summary.get("ettr"), summary.get("wallSec"));
            System.out.println("wrote " + out.resolve("summary.json") + ", jobs.csv and report.html");
            return 0;
        } catch (ValidationException e) {
            e.errors().forEach(err -> System.err.println("tessera simulate: " + err.field() + ": " + err.message()));
            return 2;
        } catch (IllegalArgumentException | UncheckedIOException e) {
            System.err.println("tessera simulate: " + e.getMessage());
            return 2;
        }
    }

    /** One run: its summary and what it recorded. */
    record Run(Map<String, Object> summary, SimRecorder recorder) {
    }

    /** Runs one simulation. */
    static Run run(SimulationInputs.Loaded l, boolean aware, Workload workload) {
        long t0 = System.nanoTime();
        Simulation sim = new Simulation(l.catalog(), l.nodes(), l.policy(), new StepModel(l.table()), aware, workload);
        SimRecorder rec = sim.run();
        Map<String, Object> summary = new LinkedHashMap<>(Summary.of(rec, l.catalog(), aware ? "aware" : "agnostic",
                workload.seed(), (System.nanoTime() - t0) / 1e9, sim.passes()));
        summary.put("victimOrder", workload.preemption().victimOrder());
        return new Run(summary, rec);
    }

    static void write(Path dir, ChipCatalog catalog, Map<String, Object> summary, SimRecorder rec) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("summary.json"),
                    Documents.json().writerWithDefaultPrettyPrinter().writeValueAsString(summary) + "\n");
            Files.writeString(dir.resolve("jobs.csv"), Summary.csv(rec));
            Files.writeString(dir.resolve("report.html"), SimReport.html(summary, rec, catalog));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + dir + ": " + e.getMessage(), e);
        }
    }
}
