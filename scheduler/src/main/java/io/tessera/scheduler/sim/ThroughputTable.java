package io.tessera.scheduler.sim;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.ChipCatalog;
import io.tessera.config.ChipType;
import io.tessera.config.Documents;
import io.tessera.config.ValidationException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Measured training throughput per job class, per gang size and per chip type: how many
 * optimizer steps per second a job of that class makes when all its shards run on that chip.
 * Immutable. Two file formats are read:
 * <ul>
 *   <li>Gavel's {@code simulation_throughputs.json} as it is: worker type, then a key
 *       {@code "('ResNet-50 (batch size 64)', 4)"}, then {@code "null"} (the job alone) in
 *       iterations/s. A worker type names a catalog chip by id or by its id's last part
 *       ({@code v100} is {@code gavel-v100} or {@code nvidia-v100}); types that name no chip
 *       (Gavel's {@code *_unconsolidated}) are skipped, and co-location pairs are not used.</li>
 *   <li>Tessera's own: {@code classes: {NAME: {CHIP: steps/s}}}, the same at every gang size.</li>
 * </ul>
 */
public final class ThroughputTable {
    private static final Pattern GAVEL_KEY = Pattern.compile("^\\('(.+)', (\\d+)\\)$");
    /** class, then gang size (0: any), then chip id: steps per second. */
    private final Map<String, Map<Integer, Map<String, Double>>> rates;
    private final String source;

    private final List<String> classes;

    private ThroughputTable(Map<String, Map<Integer, Map<String, Double>>> sorted, String source) {
        this.classes = List.copyOf(sorted.keySet());
        this.rates = new HashMap<>();
        sorted.forEach((c, byScale) -> {
            Map<Integer, Map<String, Double>> m = new HashMap<>();
            byScale.forEach((k, v) -> m.put(k, new HashMap<>(v)));
            rates.put(c, m);
        });
        this.source = source;
    }

    /** Reads {@code file}; a {@link ValidationException} names the file and the field at fault. */
    public static ThroughputTable load(Path file, ChipCatalog catalog) {
        JsonNode doc = Documents.readFile(file);
        String name = file.getFileName().toString();
        if (!doc.isObject()) {
            throw new ValidationException(name, "a throughput file must be a mapping");
        }
        Map<String, Map<Integer, Map<String, Double>>> rates = new TreeMap<>();
        if (doc.has("classes")) {
            readNative(doc.get("classes"), name, catalog, rates);
        } else {
            readGavel(doc, name, catalog, rates);
        }
        if (rates.isEmpty()) {
            throw new ValidationException(name, "no job class has a throughput for a chip type of the catalog");
        }
        return new ThroughputTable(rates, name);
    }

    private static void readNative(JsonNode classes, String file, ChipCatalog catalog,
                                   Map<String, Map<Integer, Map<String, Double>>> rates) {
        if (!classes.isObject()) {
            throw new ValidationException(file + ": classes", "must map each job class to {chipType: steps/s}");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = classes.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> c = it.next();
            String at = file + ": classes." + c.getKey();
            if (!c.getValue().isObject()) {
                throw new ValidationException(at, "must map chip types to steps/s");
            }
            for (Iterator<Map.Entry<String, JsonNode>> chips = c.getValue().fields(); chips.hasNext(); ) {
                Map.Entry<String, JsonNode> e = chips.next();
                String chip = catalog.byId(e.getKey()).map(ChipType::id).orElseThrow(() ->
                        new ValidationException(at + "." + e.getKey(), "unknown chip type"));
                put(rates, c.getKey(), 0, chip, rate(e.getValue(), at + "." + e.getKey()));
            }
        }
    }

    private static void readGavel(JsonNode doc, String file, ChipCatalog catalog,
                                  Map<String, Map<Integer, Map<String, Double>>> rates) {
        for (Iterator<Map.Entry<String, JsonNode>> workers = doc.fields(); workers.hasNext(); ) {
            Map.Entry<String, JsonNode> w = workers.next();
            Optional<String> chip = chipFor(w.getKey(), catalog);
            if (chip.isEmpty() || !w.getValue().isObject()) {
                continue;
            }
            for (Iterator<Map.Entry<String, JsonNode>> jobs = w.getValue().fields(); jobs.hasNext(); ) {
                Map.Entry<String, JsonNode> j = jobs.next();
                Matcher m = GAVEL_KEY.matcher(j.getKey());
                String at = file + ": " + w.getKey() + "." + j.getKey();
                if (!m.matches()) {
                    throw new ValidationException(at, "expected a key like \"('ResNet-50 (batch size 64)', 1)\"");
                }
                JsonNode alone = j.getValue().get("null");
                if (alone == null) {
                    throw new ValidationException(at + ".null", "missing: the throughput of the job alone");
                }
                put(rates, m.group(1), Integer.parseInt(m.group(2)), chip.get(), rate(alone, at + ".null"));
            }
        }
    }

    /** The catalog chip a worker-type name stands for: its id, or the one id ending in {@code -NAME}. */
    static Optional<String> chipFor(String worker, ChipCatalog catalog) {
        Optional<ChipType> exact = catalog.byId(worker);
        if (exact.isPresent()) {
            return exact.map(ChipType::id);
        }
        List<String> suffixed = new ArrayList<>();
        catalog.all().forEach(c -> {
            if (c.id().endsWith("-" + worker)) {
                suffixed.add(c.id());
            }
        });
        return suffixed.size() == 1 ? Optional.of(suffixed.get(0)) : Optional.empty();
    }

    private static double rate(JsonNode n, String at) {
        if (!n.isNumber() || !(n.asDouble() >= 0) || Double.isInfinite(n.asDouble())) {
            throw new ValidationException(at, "must be a throughput in steps/s (a number >= 0), got " + n);
        }
        return n.asDouble();
    }

    private static void put(Map<String, Map<Integer, Map<String, Double>>> rates, String cls, int scale, String chip,
                            double rate) {
        rates.computeIfAbsent(cls, k -> new TreeMap<>()).computeIfAbsent(scale, k -> new TreeMap<>()).put(chip, rate);
    }

    /** The file it was read from, for messages. */
    public String source() {
        return source;
    }

    /** Every job class, in name order. */
    public List<String> classes() {
        return classes;
    }

    public boolean has(String cls) {
        return rates.containsKey(cls);
    }

    /** Whether the table knows {@code cls} at a gang of {@code shards}. */
    public boolean hasScale(String cls, int shards) {
        Map<Integer, Map<String, Double>> byScale = rates.get(cls);
        return byScale != null && (byScale.containsKey(shards) || byScale.containsKey(0));
    }

    /** Steps per second of a {@code shards}-shard job of {@code cls} on {@code chip}; empty when unknown. */
    public OptionalDouble stepsPerSec(String cls, int shards, String chip) {
        Map<Integer, Map<String, Double>> byScale = rates.get(cls);
        if (byScale == null) {
            return OptionalDouble.empty();
        }
        Map<String, Double> byChip = byScale.getOrDefault(shards, byScale.get(0));
        Double r = byChip == null ? null : byChip.get(chip);
        return r == null ? OptionalDouble.empty() : OptionalDouble.of(r);
    }
}
