package io.tessera.scheduler.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.config.Documents;
import io.tessera.config.FieldReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The {@code large:} generator: fewer, larger and longer data-parallel jobs, as fleets of
 * thousands of chips run them (Gavel's generator draws one to eight GPUs for minutes to days).
 * <pre>
 * large:
 *   jobs: 300                # how many
 *   jobsPerDay: 6            # Poisson arrivals
 *   shards: [4, 8, 16, 32]   # each job's most shards, drawn uniformly
 *   minShardsFraction: 0.25  # elastic: it may run on this fraction of them (1: rigid)
 *   durationHours: [12, 480] # its run time on the reference chip at full size, log-uniform
 * </pre>
 * Each job's class is drawn from the throughput table; {@code devicesPerShard}, checkpoints and
 * everything else come from {@code defaults:} and {@code vary:}. Deterministic for the seed.
 */
final class LargeJobGenerator {
    private static final Set<String> FIELDS = Set.of("jobs", "jobsPerDay", "shards", "minShardsFraction", "durationHours");

    private LargeJobGenerator() {
    }

    static List<ObjectNode> generate(FieldReader r, JsonNode g, ThroughputTable table, List<GavelGenerator.Tenant> tenants,
                                     long seed) {
        r.rejectUnknown(g, "large", FIELDS);
        int n = r.integer(g, "large", "jobs", true, 1, 100_000).orElse(0L).intValue();
        double perDay = r.number(g, "large", "jobsPerDay", true, 1e-6, 1e6).orElse(1.0);
        List<Long> shards = r.list(g, "large", "shards", true, 64, (x, at) -> {
            if (x.canConvertToLong() && x.asLong() >= 1 && x.asLong() <= 4096) {
                return x.asLong();
            }
            r.error(at, "must be a shard count, 1-4096");
            return null;
        }).orElse(List.of());
        if (shards.isEmpty()) {
            r.error("large.shards", "must list at least one shard count");
        }
        double minFraction = r.number(g, "large", "minShardsFraction", false, 0.01, 1).orElse(1.0);
        List<Double> hours = r.list(g, "large", "durationHours", true, 2, (x, at) -> x.isNumber() && x.asDouble() > 0
                ? x.asDouble() : null).orElse(List.of());
        if (hours.size() != 2 || hours.get(0) > hours.get(1)) {
            r.error("large.durationHours", "must be [shortest, longest] in hours, both above 0");
        }
        if (table == null) {
            r.error("large", "the generator draws job classes from the throughput table: give --throughputs");
        }
        if (!r.errors().isEmpty()) {
            return List.of();
        }
        Random rnd = new Random(seed * 31 + 17);
        List<String> classes = table.classes();
        List<ObjectNode> out = new ArrayList<>(n);
        double at = 0;
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                at += -Math.log(1 - rnd.nextDouble()) * 86_400 / perDay;
            }
            long max = shards.get(rnd.nextInt(shards.size()));
            double h = Math.exp(Math.log(hours.get(0)) + rnd.nextDouble() * (Math.log(hours.get(1)) - Math.log(hours.get(0))));
            ObjectNode e = Documents.json().createObjectNode();
            e.put("at", Math.round(at * 1000) / 1000.0);
            e.put("class", classes.get(rnd.nextInt(classes.size())));
            e.put("shards", max);
            e.put("durationSec", Math.round(h * 3600));
            long min = Math.max(1, Math.round(max * minFraction));
            if (min < max) {
                e.withObject("spec").withObject("shards").put("min", min).put("max", max);
            }
            if (!tenants.isEmpty()) {
                GavelGenerator.Tenant t = tenants.get(i % tenants.size());
                e.put("queue", t.queue());
                e.put("user", t.user());
            }
            out.add(e);
        }
        return out;
    }
}
