package io.tessera.scheduler.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.config.ChipCatalog;
import io.tessera.config.ConfigLoader;
import io.tessera.config.Documents;
import io.tessera.config.ElasticConfig;
import io.tessera.config.FieldReader;
import io.tessera.config.PreemptionConfig;
import io.tessera.config.QueueSpec;
import io.tessera.config.ValidationError;
import io.tessera.config.ValidationException;
import io.tessera.scheduler.placement.NodeView;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a workload file (format in docs/simulation.md): the jobs come from an explicit
 * {@code jobs:} list, Gavel's generator ({@code gavel:}) or the Philly trace ({@code philly:}),
 * or several of these; plus {@code queues:}, job {@code defaults:}, injected {@code events:}, drawn
 * {@code failures:} ({@link FailureModel}),
 * {@code options:} and the measurement {@code window:}. Every error names the file and the field.
 */
public final class WorkloadFile {
    private static final Set<String> TOP = Set.of("seed", "options", "window", "queues", "defaults", "jobs", "gavel",
            "philly", "events", "tenants", "elastic", "preemption", "vary", "failures", "large");
    private static final Set<String> OPTIONS = Set.of("startupSec", "stopSec", "heartbeatTimeoutSec",
            "passIntervalSec", "referenceChip", "checkpointEverySec", "checkpointOnStop");

    private WorkloadFile() {
    }

    /**
     * @param seed        overrides the file's seed when not null
     * @param jobsPerHour overrides the Gavel generator's arrival rate when not null ({@code simulate sweep})
     */
    public static Workload load(Path file, ChipCatalog catalog, ThroughputTable table, List<NodeView> nodes, Long seed,
                                Double jobsPerHour) {
        String name = file.getFileName().toString();
        JsonNode doc = Documents.readFile(file);
        FieldReader r = new FieldReader();
        if (!doc.isObject()) {
            throw new ValidationException(name, "a workload must be a mapping");
        }
        r.rejectUnknown(doc, "", TOP);
        long s = seed != null ? seed : r.integer(doc, "", "seed", false, Long.MIN_VALUE, Long.MAX_VALUE).orElse(1L);
        JsonNode opts = r.object(doc, "", "options", false).orElse(Documents.json().createObjectNode());
        r.rejectUnknown(opts, "options", OPTIONS);
        String reference = r.string(opts, "options", "referenceChip", false, 64).orElse(null);
        if (reference != null && catalog.byId(reference).isEmpty()) {
            r.error("options.referenceChip", "unknown chip type '" + reference + "'");
        }
        List<GavelGenerator.Tenant> tenants = tenants(r, doc);
        List<QueueSpec> queues = queues(doc, name);
        check(r, name);
        List<String> chips = nodes.stream().flatMap(n -> n.freeDevices().keySet().stream()).distinct().sorted().toList();
        SimJobFactory factory = new SimJobFactory(catalog, table, reference, chips, doc.get("defaults"), name);
        List<JsonNode> entries = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        r.list(doc, "", "jobs", false, 1_000_000, (n, at) -> {
            entries.add(n);
            paths.add(at);
            return null;
        });
        check(r, name);
        generated(r, doc, name, table, tenants, s, entries, paths, file, jobsPerHour);
        JobVariety.parse(r, doc.get("vary")).apply(entries, s);
        check(r, name);
        if (entries.isEmpty()) {
            throw new ValidationException(name + ": jobs", "the workload has no jobs: give jobs:, gavel:, large: or philly:");
        }
        List<SimJob> jobs = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            jobs.add(factory.build(i, entries.get(i), paths.get(i)));
        }
        jobs.sort(Comparator.comparingLong(SimJob::arriveMs).thenComparingInt(SimJob::index));
        List<SimJob> ordered = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            SimJob j = jobs.get(i);
            ordered.add(new SimJob(i, j.id(), j.arriveMs(), j.spec(), j.owner(), j.steps(), j.jobClass(),
                    j.checkpointEverySteps(), j.timeScale(), j.checkpointEverySec()));
        }
        uniqueIds(ordered, name);
        List<Workload.Timed> injected = new ArrayList<>(InjectedEvents.parse(doc, name, nodes, catalog,
                ordered.stream().map(SimJob::id).toList()));
        injected.addAll(FailureModel.draw(r, doc, nodes, s));
        check(r, name);
        return new Workload(ordered, queues, injected, options(r, doc, opts, name), s,
                schedulerSettings(doc, "elastic", ElasticConfig.class, ElasticConfig.DEFAULT, name),
                schedulerSettings(doc, "preemption", PreemptionConfig.class, PreemptionConfig.DEFAULT, name));
    }

    private static void generated(FieldReader r, JsonNode doc, String name, ThroughputTable table,
                                  List<GavelGenerator.Tenant> tenants, long seed, List<JsonNode> entries,
                                  List<String> paths, Path file, Double jobsPerHour) {
        r.object(doc, "", "gavel", false).ifPresent(g -> {
            r.rejectUnknown(g, "gavel", Set.of("jobs", "jobsPerHour"));
            int n = r.integer(g, "gavel", "jobs", true, 1, 1_000_000).orElse(0L).intValue();
            double rate = jobsPerHour != null ? jobsPerHour
                    : r.number(g, "gavel", "jobsPerHour", true, 1e-6, 1e9).orElse(0.0);
            if (table == null) {
                r.error("gavel", "Gavel's generator draws job classes from the throughput table: give --throughputs");
            }
            check(r, name);
            add(GavelGenerator.generate(n, rate, table, tenants, seed), "gavel", entries, paths);
        });
        r.object(doc, "", "large", false).ifPresent(g -> {
            List<ObjectNode> large = LargeJobGenerator.generate(r, g, table, tenants, seed);
            check(r, name);
            add(large, "large", entries, paths);
        });
        r.object(doc, "", "philly", false).ifPresent(p -> {
            r.rejectUnknown(p, "philly", Set.of("file", "timeScale", "durationScale", "sample", "skip", "limit",
                    "maxGpus", "maxDurationSec", "cluster", "classes"));
            String csv = r.string(p, "philly", "file", true, 4096).orElse("");
            PhillyTrace trace = new PhillyTrace(file.toAbsolutePath().getParent().resolve(csv),
                    r.number(p, "philly", "timeScale", false, 0, 1e6).orElse(1.0),
                    r.number(p, "philly", "durationScale", false, 1e-9, 1e6).orElse(1.0),
                    r.number(p, "philly", "sample", false, 1e-9, 1).orElse(1.0),
                    r.integer(p, "philly", "skip", false, 0, Integer.MAX_VALUE).orElse(0L).intValue(),
                    r.integer(p, "philly", "limit", false, 1, 1_000_000).orElse(1_000_000L).intValue(),
                    r.integer(p, "philly", "maxGpus", false, 1, 100_000).orElse(100_000L).intValue(),
                    r.number(p, "philly", "maxDurationSec", false, 1, 1e10).orElse(1e10),
                    r.string(p, "philly", "cluster", false, 64).orElse(null),
                    p.path("classes").asBoolean(false) ? table : null);
            check(r, name);
            try {
                add(trace.entries(tenants, seed), "philly", entries, paths);
            } catch (ValidationException e) {
                throw prefixed(e, name);
            }
        });
    }

    private static void add(List<ObjectNode> generated, String from, List<JsonNode> entries, List<String> paths) {
        for (int i = 0; i < generated.size(); i++) {
            entries.add(generated.get(i));
            paths.add(from + "[" + i + "]");
        }
    }

    private static List<GavelGenerator.Tenant> tenants(FieldReader r, JsonNode doc) {
        List<GavelGenerator.Tenant> out = new ArrayList<>();
        r.list(doc, "", "tenants", false, 1000, (n, at) -> {
            r.rejectUnknown(n, at, Set.of("queue", "user"));
            out.add(new GavelGenerator.Tenant(r.string(n, at, "queue", false, 63).orElse(QueueSpec.DEFAULT),
                    r.string(n, at, "user", false, 63).orElse("sim")));
            return null;
        });
        return out;
    }

    private static List<QueueSpec> queues(JsonNode doc, String name) {
        List<QueueSpec> out = new ArrayList<>();
        JsonNode q = doc.get("queues");
        if (q == null) {
            return out;
        }
        if (!q.isArray()) {
            throw new ValidationException(name + ": queues", "must be a list of queue definitions");
        }
        for (int i = 0; i < q.size(); i++) {
            try {
                out.add(ConfigLoader.bind(q.get(i), QueueSpec.class));
            } catch (ValidationException e) {
                throw prefixed(e, name + ": queues[" + i + "]");
            }
        }
        return out;
    }

    /** The scheduler's {@code key:} settings (as in its config file) bound to {@code type}; {@code absent} if not given. */
    private static <T> T schedulerSettings(JsonNode doc, String key, Class<T> type, T absent, String name) {
        if (!doc.hasNonNull(key)) {
            return absent;
        }
        try {
            return ConfigLoader.bind(doc.get(key), type);
        } catch (ValidationException e) {
            throw prefixed(e, name + ": " + key);
        }
    }

    private static Workload.Options options(FieldReader r, JsonNode doc, JsonNode opts, String name) {
        JsonNode w = r.object(doc, "", "window", false).orElse(Documents.json().createObjectNode());
        r.rejectUnknown(w, "window", Set.of("from", "to"));
        Workload.Options o = new Workload.Options(
                r.number(opts, "options", "startupSec", false, 0, 1e6).orElse(0.0),
                r.number(opts, "options", "stopSec", false, 0, 1e6).orElse(0.0),
                r.number(opts, "options", "heartbeatTimeoutSec", false, 1, 1e6).orElse(30.0),
                r.number(opts, "options", "passIntervalSec", false, 0.1, 1e6).orElse(60.0),
                r.integer(w, "window", "from", false, 0, Integer.MAX_VALUE).orElse(0L).intValue(),
                r.integer(w, "window", "to", false, 1, Integer.MAX_VALUE).orElse((long) Integer.MAX_VALUE).intValue(),
                r.number(opts, "options", "checkpointEverySec", false, 0, 1e9).orElse(0.0),
                !opts.has("checkpointOnStop") || opts.get("checkpointOnStop").asBoolean(true));
        if (opts.has("checkpointOnStop") && !opts.get("checkpointOnStop").isBoolean()) {
            r.error("options.checkpointOnStop", "must be true or false");
        }
        if (o.windowFrom() >= o.windowTo()) {
            r.error("window", "from must be below to");
        }
        check(r, name);
        return o;
    }

    private static void uniqueIds(List<SimJob> jobs, String name) {
        Set<String> seen = new TreeSet<>();
        for (SimJob j : jobs) {
            if (!seen.add(j.id())) {
                throw new ValidationException(name + ": jobs", "job id '" + j.id() + "' appears twice");
            }
        }
    }

    static void check(FieldReader r, String name) {
        if (!r.errors().isEmpty()) {
            throw prefixed(new ValidationException(r.errors()), name);
        }
    }

    static ValidationException prefixed(ValidationException e, String prefix) {
        return new ValidationException(e.errors().stream()
                .map(err -> new ValidationError(prefix + ": " + err.field(), err.message())).toList());
    }
}
