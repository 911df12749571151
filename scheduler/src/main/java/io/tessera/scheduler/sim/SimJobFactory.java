package io.tessera.scheduler.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.config.ChipCatalog;
import io.tessera.config.ChipType;
import io.tessera.config.Documents;
import io.tessera.config.FieldReader;
import io.tessera.config.JobSpec;
import io.tessera.config.JobSpecParser;
import io.tessera.config.Precision;
import io.tessera.config.ValidationError;
import io.tessera.config.ValidationException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns one workload job entry into a {@link SimJob} with a spec the live API would accept. The
 * explicit job list, Gavel's generator and the Philly trace all produce entries of this one form:
 * <pre>
 * {at: SEC, class: NAME, shards: N, devicesPerShard: D, durationSec: S | steps: K, queue: Q, user: U,
 *  priority: P, preemptible: B, checkpointEverySteps: C, checkpointEverySec: T, timeScale: X, spec: {job spec fields}}
 * </pre>
 * {@code durationSec} is the run time on the reference chip (the workload's {@code referenceChip},
 * else the fastest chip type of the cluster for that job), as Gavel's generator means it.
 */
final class SimJobFactory {
    static final Set<String> FIELDS = Set.of("id", "at", "class", "shards", "devicesPerShard", "durationSec", "steps",
            "queue", "user", "priority", "preemptible", "checkpointEverySteps", "checkpointEverySec", "timeScale", "spec");
    private final ChipCatalog catalog;
    private final ThroughputTable table;
    private final StepModel steps;
    private final JobSpecParser parser;
    private final String referenceChip;
    private final List<String> clusterChips;
    private final JsonNode defaults;
    private final String file;

    SimJobFactory(ChipCatalog catalog, ThroughputTable table, String referenceChip, List<String> clusterChips,
                  JsonNode defaults, String file) {
        this.catalog = catalog;
        this.table = table;
        this.steps = new StepModel(table);
        this.parser = new JobSpecParser(catalog);
        this.referenceChip = referenceChip;
        this.clusterChips = clusterChips;
        this.defaults = defaults;
        this.file = file;
    }

    SimJob build(int index, JsonNode e, String at) {
        FieldReader r = new FieldReader();
        r.rejectUnknown(e, at, FIELDS);
        String id = r.string(e, at, "id", false, 63).orElse(String.format("job-%05d", index));
        long arriveMs = Math.round(r.number(e, at, "at", false, 0, 1e10).orElse(0.0) * 1000);
        String cls = r.string(e, at, "class", false, 200).orElse(null);
        int shards = r.integer(e, at, "shards", false, 1, JobSpecParser.MAX_SHARDS).orElse(1L).intValue();
        int dps = r.integer(e, at, "devicesPerShard", false, 1, JobSpecParser.MAX_DEVICES_PER_SHARD).orElse(1L).intValue();
        Double duration = r.number(e, at, "durationSec", false, 0.001, 1e10).orElse(null);
        Long declared = r.integer(e, at, "steps", false, 1, Long.MAX_VALUE / 4).orElse(null);
        String user = r.string(e, at, "user", false, 63).orElse("sim");
        long every = r.integer(e, at, "checkpointEverySteps", false, 0, Long.MAX_VALUE / 4).orElse(0L);
        double everySec = r.number(e, at, "checkpointEverySec", false, 0, 1e9).orElse(0.0);
        double scale = r.number(e, at, "timeScale", false, 1e-6, 1e6).orElse(1.0);
        if (cls != null && table == null) {
            r.error(at + ".class", "names a job class, but no --throughputs file was given");
        } else if (cls != null && !table.has(cls)) {
            r.error(at + ".class", "job class '" + cls + "' is missing from the throughput file " + table.source());
        } else if (cls != null && !table.hasScale(cls, shards)) {
            r.error(at + ".shards", "the throughput file " + table.source() + " has no figure for class '" + cls
                    + "' on " + shards + " shards");
        }
        if (e.has("spec") && !e.get("spec").isObject()) {
            r.error(at + ".spec", "must be a mapping of job spec fields");
        }
        if ((duration == null) == (declared == null)) {
            r.error(at, "give either durationSec or steps");
        }
        throwIfInvalid(r);
        ObjectNode doc = spec(e, cls, shards, dps);
        JobSpec spec = parse(doc, at);
        long total = declared != null ? declared : Math.max(1, Math.round(duration / referenceStepSec(spec, shards, at)));
        if (spec.scheduling().steps() == null) { // the scheduler knows how long it runs, for reservations and backfill
            doc.withObject("scheduling").put("steps", total);
            spec = parse(doc, at);
        }
        return new SimJob(index, id, arriveMs, spec, user, total, cls, every, scale, everySec);
    }

    private ObjectNode spec(JsonNode e, String cls, int shards, int dps) {
        ObjectNode s = Documents.json().createObjectNode();
        s.put("name", "sim");
        s.putArray("command").add("sim-worker");
        s.put("shards", shards);
        s.put("devicesPerShard", dps);
        s.put("flopsPerSample", 1e12);
        s.put("memoryPerShardGiB", cls == null ? 1 : 0.01);
        s.put("globalBatch", 1000L * shards);
        s.putArray("precisions").add(cls == null ? "bf16" : "fp32");
        boolean model = defaults != null && defaults.has("model") || e.path("spec").has("model");
        if (model) {
            s.remove("flopsPerSample"); // the model's size says what a sample costs
        }
        merge(s, defaults);
        merge(s, e.get("spec"));
        copy(e, s, "queue", "queue");
        copy(e, s, "priority", "priority");
        if (cls != null) {
            s.withObject("env").put(SimJob.CLASS_ENV, cls);
        }
        if (e.hasNonNull("preemptible")) {
            s.withObject("scheduling").set("preemptible", e.get("preemptible"));
        }
        return s;
    }

    private JobSpec parse(ObjectNode s, String at) {
        try {
            return parser.parse(s);
        } catch (ValidationException v) {
            throw new ValidationException(v.errors().stream().map(err -> new ValidationError(
                    file + ": " + at + ".spec." + err.field(), err.message())).toList());
        }
    }

    private double referenceStepSec(JobSpec spec, int shards, String at) {
        List<String> chips = referenceChip != null ? List.of(referenceChip) : clusterChips;
        double best = Double.POSITIVE_INFINITY;
        for (String id : chips) {
            ChipType chip = catalog.byId(id).orElseThrow();
            for (Precision p : spec.precisions()) {
                best = Math.min(best, steps.referenceStepSec(spec, chip, p, shards));
            }
        }
        if (Double.isInfinite(best)) {
            throw new ValidationException(file + ": " + at + ".durationSec", "cannot be turned into steps: no "
                    + (referenceChip != null ? "throughput on the reference chip " + referenceChip : "chip of the cluster")
                    + " for this job");
        }
        return best;
    }

    private void throwIfInvalid(FieldReader r) {
        if (!r.errors().isEmpty()) {
            throw new ValidationException(r.errors().stream().map(err -> new ValidationError(
                    file + ": " + err.field(), err.message())).toList());
        }
    }

    private static void copy(JsonNode from, ObjectNode to, String field, String as) {
        if (from.hasNonNull(field)) {
            to.set(as, from.get(field));
        }
    }

    private static void merge(ObjectNode into, JsonNode extra) {
        if (extra == null || !extra.isObject()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = extra.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            into.set(f.getKey(), f.getValue());
        }
    }
}
