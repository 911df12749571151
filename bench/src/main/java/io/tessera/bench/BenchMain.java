package io.tessera.bench;

import io.tessera.config.JobSpec;
import io.tessera.scheduler.placement.AgnosticBaseline;
import io.tessera.scheduler.placement.ClusterSnapshot;
import io.tessera.scheduler.placement.HomogeneousBaseline;
import io.tessera.scheduler.placement.PlacementEngine;
import io.tessera.scheduler.placement.PlacementPolicy;
import io.tessera.scheduler.placement.PlacementResult;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the benchmarks and prints the tables for docs/benchmarks.md: predicted job throughput of
 * Tessera against both baselines, then placement latency (median and p99) with ratios.
 * Arguments: {@code quick} for a short run.
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = args.length > 0 && args[0].equals("quick");
        boolean scrapeOnly = args.length > 0 && args[args.length - 1].equals("scrape");
        if (scrapeOnly) {
            scrapeSize();
            latencyTable(new Runner(options(ScrapeBench.class, quick)).run());
            return;
        }
        throughputComparison();
        latencyTable(new Runner(options(PlacementBench.class, quick)).run());
    }

    private static Options options(Class<?> bench, boolean quick) {
        return new OptionsBuilder().include(bench.getSimpleName())
                .forks(1).warmupIterations(quick ? 1 : 3).warmupTime(TimeValue.seconds(quick ? 1 : 2))
                .measurementIterations(quick ? 2 : 5).measurementTime(TimeValue.seconds(quick ? 1 : 3))
                .jvmArgs("-Xmx2g").build();
    }

    private static void scrapeSize() {
        ScrapeBench b = new ScrapeBench();
        b.setup();
        String text = b.scrape();
        System.out.printf(Locale.ROOT, "%n## Scrape of a scheduler holding 10,000 nodes%n%nsize %.2f MB, %d lines%n",
                text.length() / 1e6, text.lines().count());
    }

    /** A fleet where no single chip type can hold the job: 7 types x 146 nodes, a job of up to 1,024 shards. */
    private static void throughputComparison() {
        ClusterSnapshot fleet = Fleets.fleet(1022, 0, 3);
        JobSpec job = Fleets.job("{min: 64, max: 1024}", "");
        Map<String, PlacementResult> results = new LinkedHashMap<>();
        results.put("tessera", new PlacementEngine().place(fleet, "cmp", job, PlacementPolicy.DEFAULT));
        results.put("homogeneous (Kueue-style flavor fallback)", new HomogeneousBaseline().place(fleet, "cmp", job,
                PlacementPolicy.DEFAULT));
        results.put("heterogeneity-agnostic (equal batches)", new AgnosticBaseline().place(fleet, "cmp", job,
                PlacementPolicy.DEFAULT));
        double tessera = ((Plan) results.get("tessera")).predictedSamplesPerSec();
        System.out.println("\n## Predicted job throughput: 1,022 nodes x 8 devices, 7 chip types x 146 nodes;"
                + " 7B job, 64..1,024 shards of 8 devices, global batch 65,536\n");
        System.out.println("| placement | shards | samples/s | Tessera / this |");
        System.out.println("|---|---|---|---|");
        results.forEach((name, r) -> {
            Plan p = (Plan) r;
            System.out.printf(Locale.ROOT, "| %s | %d | %.1f | %.2f |%n", name, p.shards().size(),
                    p.predictedSamplesPerSec(), tessera / p.predictedSamplesPerSec());
        });
    }

    private static void latencyTable(Collection<RunResult> runs) {
        Map<String, double[]> stats = new LinkedHashMap<>();
        for (RunResult r : runs) {
            String scenario = r.getParams().getParam("scenario") == null ? "scrape-10k-nodes" : r.getParams().getParam("scenario");
            String key = scenario + "/" + r.getParams().getBenchmark()
                    .substring(r.getParams().getBenchmark().lastIndexOf('.') + 1);
            var s = r.getPrimaryResult().getStatistics();
            stats.put(key, new double[] {s.getPercentile(50), s.getPercentile(99), s.getN()});
        }
        System.out.println("\n## Latency (ms, JMH sample time)\n");
        System.out.println("| scenario | placer | median | p99 | samples | median / Tessera's |");
        System.out.println("|---|---|---|---|---|---|");
        stats.forEach((key, v) -> {
            String scenario = key.substring(0, key.indexOf('/'));
            double[] base = stats.get(scenario + "/tessera");
            double tessera = base == null ? v[0] : base[0];
            System.out.printf(Locale.ROOT, "| %s | %s | %.3f | %.3f | %d | %.2f |%n", scenario,
                    key.substring(key.indexOf('/') + 1), v[0], v[1], (long) v[2], v[0] / tessera);
        });
    }
}
