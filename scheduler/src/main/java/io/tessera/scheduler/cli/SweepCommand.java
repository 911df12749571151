package io.tessera.scheduler.cli;

import io.tessera.config.Documents;
import io.tessera.config.ValidationException;
import io.tessera.scheduler.sim.SimReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tessera simulate sweep}: the workload's Gavel generator at several arrival rates, each
 * under both policies; writes each run's files under {@code DIR/RATE-POLICY/}, and
 * {@code sweep.json}, {@code sweep.csv} and {@code sweep.html} (average JCT against load, with the
 * agnostic/aware ratio) to {@code DIR}.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Run the workload's Gavel generator at several rates under both policies; plot average JCT against load.")
final class SweepCommand implements Callable<Integer> {
    @Mixin
    SimulationInputs in;

    @Option(names = "--rates", required = true, split = ",", description = "arrival rates in jobs/hour, e.g. 1,2,3,4")
    List<Double> rates;

    @Option(names = "--out", required = true, description = "output directory")
    Path out;

    @Override
    public Integer call() {
        try {
            for (double r : rates) {
                if (!(r > 0)) {
                    throw new ValidationException("--rates", "each rate must be a positive number of jobs/hour, got " + r);
                }
            }
            Map<String, List<Double>> avg = new LinkedHashMap<>();
            List<Map<String, Object>> rows = new ArrayList<>();
            StringBuilder csv = new StringBuilder("jobsPerHour,policy,jobs,avgJctSec,p50JctSec,p99JctSec,makespanSec,"
                    + "avgQueueWaitSec,utilization,wallSec\n");
            for (String policy : List.of("aware", "agnostic")) {
                avg.put(policy, new ArrayList<>());
            }
            for (double rate : rates) {
                SimulationInputs.Loaded l = in.load(rate);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("jobsPerHour", rate);
                for (String policy : List.of("aware", "agnostic")) {
                    SimulateCommand.Run r = SimulateCommand.run(l, policy.equals("aware"), in.overrides(l.workload()));
                    SimulateCommand.write(out.resolve(String.format(Locale.ROOT, "%s-%s", trim(rate), policy)),
                            l.catalog(), r.summary(), r.recorder());
                    Map<String, Object> s = r.summary();
                    avg.get(policy).add(((Number) s.get("avgJctSec")).doubleValue());
                    row.put(policy, s);
                    csv.append(String.join(",", trim(rate), policy, s.get("jobs").toString(), s.get("avgJctSec").toString(),
                            s.get("p50JctSec").toString(), s.get("p99JctSec").toString(), s.get("makespanSec").toString(),
                            s.get("avgQueueWaitSec").toString(), ((Map<?, ?>) s.get("utilization")).get("fleet").toString(),
                            s.get("wallSec").toString())).append('\n');
                }
                double aware = avg.get("aware").get(avg.get("aware").size() - 1);
                double agnostic = avg.get("agnostic").get(avg.get("agnostic").size() - 1);
                row.put("agnosticOverAware", aware == 0 ? null : Math.round(agnostic / aware * 1000) / 1000.0);
                rows.add(row);
                System.out.printf(Locale.ROOT, "%8s jobs/h: average JCT aware %.0f s, agnostic %.0f s, ratio %.3f%n",
                        trim(rate), aware, agnostic, aware == 0 ? Double.NaN : agnostic / aware);
            }
            write(rows, csv.toString(), avg);
            return 0;
        } catch (ValidationException e) {
            e.errors().forEach(err -> System.err.println("tessera simulate sweep: " + err.field() + ": " + err.message()));
            return 2;
        } catch (IllegalArgumentException | UncheckedIOException e) {
            System.err.println("tessera simulate sweep: " + e.getMessage());
            return 2;
        }
    }

    private void write(List<Map<String, Object>> rows, String csv, Map<String, List<Double>> avg) {
        StringBuilder table = new StringBuilder("<table><tr><th>jobs/hour</th><th>aware avg JCT (s)</th>"
                + "<th>agnostic avg JCT (s)</th><th>agnostic / aware</th></tr>");
        for (int i = 0; i < rates.size(); i++) {
            table.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%.0f</td><td>%.0f</td><td>%s</td></tr>",
                    trim(rates.get(i)), avg.get("aware").get(i), avg.get("agnostic").get(i), rows.get(i).get("agnosticOverAware")));
        }
        table.append("</table>");
        try {
            Files.createDirectories(out);
            Files.writeString(out.resolve("sweep.json"),
                    Documents.json().writerWithDefaultPrettyPrinter().writeValueAsString(rows) + "\n");
            Files.writeString(out.resolve("sweep.csv"), csv);
            Files.writeString(out.resolve("sweep.html"), SimReport.sweep(rates, avg, table.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + out + ": " + e.getMessage(), e);
        }
        System.out.println("wrote " + out.resolve("sweep.html") + ", sweep.json and sweep.csv");
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
