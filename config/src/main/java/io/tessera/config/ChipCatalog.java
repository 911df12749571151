package io.tessera.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The immutable set of known chip types, by id and by vendor-tool alias.
 * Contract: ids are unique; an alias resolves to at most one chip (case and repeated spaces ignored);
 * the built-in catalog ships in {@code tessera/chips.yaml}, and an operator file extends or replaces entries.
 */
public final class ChipCatalog {
    private static final String BUILT_IN = "tessera/chips.yaml";
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9.-]{0,62}");
    static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Set<String> FIELDS = Set.of("vendor", "hbmGiB", "memoryBandwidthTBs", "tflops",
            "efficiency", "intraNodeLinkGBs", "visibilityEnv", "aliases", "chipsPerPackage", "collective", "bridges");
    private static final Pattern LIBRARY = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");

    private final Map<String, ChipType> byId;
    private final Map<String, ChipType> byAlias;

    private ChipCatalog(Map<String, ChipType> byId) {
        this.byId = Map.copyOf(byId);
        Map<String, ChipType> aliases = new HashMap<>();
        for (ChipType chip : byId.values()) {
            aliases.put(normalise(chip.id()), chip);
            chip.aliases().forEach(a -> aliases.put(normalise(a), chip));
        }
        this.byAlias = Map.copyOf(aliases);
    }

    /** The catalog that ships with Tessera. */
    public static ChipCatalog builtIn() {
        try (InputStream in = ChipCatalog.class.getClassLoader().getResourceAsStream(BUILT_IN)) {
            if (in == null) {
                throw new IllegalStateException(BUILT_IN + " is missing from the classpath");
            }
            return new ChipCatalog(parse(Documents.parseYaml(in.readAllBytes())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The built-in catalog extended (and overridden by id) with the entries of {@code file}, if given. */
    public static ChipCatalog load(Optional<Path> file) {
        ChipCatalog base = builtIn();
        return file.map(f -> base.extendedWith(parse(Documents.readFile(f)))).orElse(base);
    }

    /** A catalog holding exactly these chips; for tests and what-if planning. */
    public static ChipCatalog of(Collection<ChipType> chips) {
        Map<String, ChipType> m = new LinkedHashMap<>();
        chips.forEach(c -> m.put(c.id(), c));
        return new ChipCatalog(m);
    }

    private ChipCatalog extendedWith(Map<String, ChipType> extra) {
        Map<String, ChipType> merged = new LinkedHashMap<>(byId);
        merged.putAll(extra);
        return new ChipCatalog(merged);
    }

    public Optional<ChipType> byId(String id) {
        return Optional.ofNullable(id == null ? null : byId.get(id));
    }

    /** Resolves a product name as a vendor tool prints it, or a catalog id. */
    public Optional<ChipType> resolve(String rawName) {
        return Optional.ofNullable(rawName == null ? null : byAlias.get(normalise(rawName)));
    }

    public Collection<ChipType> all() {
        return byId.values();
    }

    private static String normalise(String name) {
        return name.trim().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }

    /** Parses the {@code chips:} mapping of a catalog document, reporting every bad entry. */
    static Map<String, ChipType> parse(JsonNode doc) {
        FieldReader r = new FieldReader();
        Map<String, ChipType> out = new LinkedHashMap<>();
        r.object(doc, "", "chips", true).ifPresent(chips -> chips.fields().forEachRemaining(e -> {
            String at = "chips." + e.getKey();
            if (!ID.matcher(e.getKey()).matches()) {
                r.error(at, "a chip id must be lower-case letters, digits, '.' and '-'");
            } else if (!e.getValue().isObject()) {
                r.error(at, "must be a mapping");
            } else {
                ChipType chip = entry(r, e.getKey(), e.getValue(), at);
                if (chip != null) {
                    out.put(chip.id(), chip);
                }
            }
        }));
        r.throwIfInvalid();
        return out;
    }

    private static ChipType entry(FieldReader r, String id, JsonNode n, String at) {
        int before = r.errors().size();
        r.rejectUnknown(n, at, FIELDS);
        String vendor = r.string(n, at, "vendor", true, 64).orElse(null);
        double hbm = r.number(n, at, "hbmGiB", true, 0.001, 1e6).orElse(0.0);
        double bw = r.number(n, at, "memoryBandwidthTBs", true, 0.001, 1e4).orElse(0.0);
        double eff = r.number(n, at, "efficiency", true, 0.01, 1.0).orElse(0.0);
        double link = r.number(n, at, "intraNodeLinkGBs", false, 0.001, 1e6).orElse(100.0);
        String env = r.string(n, at, "visibilityEnv", true, 128).orElse(null);
        if (env != null && !ENV_NAME.matcher(env).matches()) {
            r.error(at + ".visibilityEnv", "must be a valid environment variable name");
        }
        List<String> aliases = r.list(n, at, "aliases", false, 64,
                (el, p) -> el.isTextual() ? el.textValue() : null).orElse(List.of());
        Map<Precision, Double> tflops = tflops(r, n, at);
        int chips = r.integer(n, at, "chipsPerPackage", false, 1, 16).orElse(1L).intValue();
        String collective = r.string(n, at, "collective", false, 32).orElse(null);
        if (collective != null && !LIBRARY.matcher(collective).matches()) {
            r.error(at + ".collective", "must be a library name such as nccl or hccl (lower-case letters, digits, '-', '_')");
        }
        List<String> bridges = r.list(n, at, "bridges", false, 8, (el, p) -> el.isTextual()
                && LIBRARY.matcher(el.textValue()).matches() ? el.textValue() : null).orElse(List.of());
        return r.errors().size() > before ? null
                : new ChipType(id, vendor, hbm, bw, tflops, eff, link, env, aliases, chips, collective, bridges);
    }

    private static Map<Precision, Double> tflops(FieldReader r, JsonNode n, String at) {
        Map<Precision, Double> out = new EnumMap<>(Precision.class);
        r.object(n, at, "tflops", true).ifPresent(t -> t.fieldNames().forEachRemaining(name -> {
            Optional<Precision> p = Precision.parse(name);
            if (p.isEmpty()) {
                r.error(at + ".tflops." + name, "unknown precision; use fp32, tf32, bf16, fp16, fp8 or int8");
            } else {
                r.number(t, at + ".tflops", name, true, 0.001, 1e6).ifPresent(v -> out.put(p.get(), v));
            }
        }));
        if (out.isEmpty()) {
            r.error(at + ".tflops", "must list at least one precision");
        }
        return out;
    }
}
