package io.tessera.config;

import java.util.LinkedHashMap;
import java.nio.charset.StandardCharsets;
import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.JobSpec.ShardRange;
import io.tessera.config.JobSpec.VendorPolicy;
import io.tessera.config.JobSpec.Workload;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a submitted YAML or JSON document into a {@link JobSpec}, or a {@link ValidationException}
 * listing every problem with its field path. Pure and thread-safe.
 */
public final class JobSpecParser {
    public static final int MAX_SHARDS = 4096;
    public static final int MAX_DEVICES_PER_SHARD = 64;
    public static final int MAX_ARGS = 256;
    public static final int MAX_ENV = 128;
    public static final int MAX_ARG_LENGTH = 4096;
    public static final int MAX_ENV_VALUE = 32 * 1024;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Set<String> FIELDS = Set.of("name", "queue", "priority", "command", "args", "env",
            "shards", "devicesPerShard", "model", "flopsPerSample", "memoryPerShardGiB", "globalBatch",
            "precisions", "vendorPolicy", "chipTypes", "checkpointDir", "restartLimit", "precisionPolicy",
            "efficiency", "activationGiBPerSample", "secretEnv", "shell", "scheduling", "allowUnschedulable",
            "resumeFrom", "profileKey", "vendors", "excludeVendors", "image", "variants", "recovery");
    /** Variables the worker contract sets; a job may not override them. */
    private static final Set<String> RESERVED_ENV = Set.of("RANK", "WORLD_SIZE", "LOCAL_RANK",
            "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT", "GROUP_RANK", "GROUP_WORLD_SIZE", "ROLE_RANK",
            "ROLE_WORLD_SIZE", "ROLE_NAME", "TORCHELASTIC_RUN_ID", "TORCHELASTIC_RESTART_COUNT");

    /**
     * Variables the dynamic loader, the C library or the allocator act on (glibc's "unsecure"
     * list, less TMPDIR): a job may not set them, so none can steer a process it does not own.
     */
    private static final Set<String> LOADER_ENV = Set.of("GCONV_PATH", "GETCONF_DIR", "GLIBC_TUNABLES", "HOSTALIASES",
            "LOCALDOMAIN", "LOCPATH", "NIS_PATH", "NLSPATH", "RESOLV_HOST_CONF", "RES_OPTIONS", "TZDIR");
    /** The default cap on command, args, env and secretEnv together, in bytes. */
    public static final int DEFAULT_MAX_ARGV_ENV_BYTES = 64 * 1024;

    private final ChipCatalog catalog;
    private final int maxArgvEnvBytes;
    private final List<String> allowedImages;

    public JobSpecParser(ChipCatalog catalog) {
        this(catalog, DEFAULT_MAX_ARGV_ENV_BYTES);
    }

    /** With {@code maxArgvEnvBytes} capping command, args, env and secretEnv together. */
    public JobSpecParser(ChipCatalog catalog, int maxArgvEnvBytes) {
        this(catalog, maxArgvEnvBytes, List.of());
    }

    /** Also refusing images outside {@code allowedImages}, glob patterns (empty: any image; {@link ContainersConfig}). */
    public JobSpecParser(ChipCatalog catalog, int maxArgvEnvBytes, List<String> allowedImages) {
        this.catalog = catalog;
        this.maxArgvEnvBytes = maxArgvEnvBytes;
        this.allowedImages = List.copyOf(allowedImages);
    }

    /** Whether a job may never set {@code name}: a loader, C library or allocator variable. */
    public static boolean loaderVariable(String name) {
        return name.startsWith("LD_") || name.startsWith("MALLOC_") || LOADER_ENV.contains(name);
    }

    /** Parses a body by content type (JSON for {@code *json*}, else YAML). */
    public JobSpec parse(byte[] body, String contentType) {
        return parse(Documents.parse(body, contentType));
    }

    /** Validates a parsed document. */
    public JobSpec parse(JsonNode doc) {
        FieldReader r = new FieldReader();
        if (!doc.isObject()) {
            throw new ValidationException("$", "a job must be a mapping of fields, got " + FieldReader.kind(doc));
        }
        r.rejectUnknown(doc, "", FIELDS);
        String name = r.string(doc, "", "name", true, 63).orElse(null);
        checkName(r, "name", name);
        String queue = r.string(doc, "", "queue", false, 63).orElse("default");
        checkName(r, "queue", queue);
        int priority = r.integer(doc, "", "priority", false, -1000, 1000).orElse(0L).intValue();
        List<String> command = r.list(doc, "", "command", true, MAX_ARGS, argument(r)).orElse(List.of());
        if (command.isEmpty() && doc.has("command") && doc.get("command").isArray()) {
            r.error("command", "must name at least the executable");
        }
        List<String> args = r.list(doc, "", "args", false, MAX_ARGS, argument(r)).orElse(List.of());
        Map<String, String> env = env(r, doc, "", "env");
        Map<String, String> secretEnv = env(r, doc, "", "secretEnv");
        secretEnv.keySet().stream().filter(env::containsKey)
                .forEach(k -> r.error("secretEnv." + k, "is also in env; name each variable once"));
        if (env.size() + secretEnv.size() > MAX_ENV) {
            r.error("secretEnv", "env and secretEnv together hold more than " + MAX_ENV + " variables");
        }
        long bytes = size(command) + size(args) + size(env) + size(secretEnv);
        if (bytes > maxArgvEnvBytes) {
            r.error("env", "command, args, env and secretEnv together take " + bytes + " bytes; the limit is "
                    + maxArgvEnvBytes);
        }
        boolean shell = false;
        if (doc.has("shell")) {
            if (doc.get("shell").isBoolean()) {
                shell = doc.get("shell").booleanValue();
            } else {
                r.error("shell", "must be true or false, got " + FieldReader.kind(doc.get("shell")));
            }
        }
        ShardRange shards = shards(r, doc);
        int dps = r.integer(doc, "", "devicesPerShard", false, 1, MAX_DEVICES_PER_SHARD).orElse(1L).intValue();
        Workload workload = workload(r, doc);
        long globalBatch = r.integer(doc, "", "globalBatch", true, 1, 1_000_000_000L).orElse(0L);
        if (shards != null && globalBatch > 0 && globalBatch < shards.min()) {
            r.error("globalBatch", "must be at least shards.min (" + shards.min() + ") so every shard gets a sample");
        }
        List<Precision> precisions = precisions(r, doc);
        VendorPolicy vendor = vendorPolicy(r, doc);
        JobSpec.Scheduling scheduling = SchedulingParser.parse(r, doc);
        List<String> chipTypes = r.list(doc, "", "chipTypes", false, 64, chipType(r)).orElse(List.of());
        vendor = vendors(r, doc, vendor, chipTypes);
        String checkpointDir = r.string(doc, "", "checkpointDir", false, 1024).orElse(null);
        checkPath(r, "checkpointDir", checkpointDir);
        checkpointDir = CanonicalPath.of(checkpointDir); // one spelling, so ownership compares paths, not strings
        int restartLimit = r.integer(doc, "", "restartLimit", false, 0, 100).orElse(3L).intValue();
        PrecisionPolicy policy = doc.hasNonNull("precisionPolicy") ? r.parsed(doc.get("precisionPolicy"),
                "precisionPolicy", PrecisionPolicy::parse, "must be uniform or per-shard") : PrecisionPolicy.UNIFORM;
        Map<String, Double> efficiency = efficiency(r, doc);
        String image = ContainerSpecParser.image(r, doc, "");
        VendorPolicy vendors = vendor;
        Map<String, WorkerVariant> variants = ContainerSpecParser.variants(r, doc, catalog, (v, at) -> env(r, v, at, "env"),
                argument(r), chip -> (chipTypes.isEmpty() || chipTypes.contains(chip.id())) && vendors.allows(chip.vendor()));
        variants.forEach((k, v) -> (v.env() == null ? Map.<String, String>of() : v.env()).keySet().stream()
                .filter(secretEnv::containsKey)
                .forEach(key -> r.error("variants." + k + ".env." + key, "is in secretEnv; name each variable once")));
        JobSpec.Worker worker = new JobSpec.Worker(command, args, env, secretEnv, shell, checkpointDir, image, variants);
        ContainerSpecParser.checkEnvForContainers(r, worker);
        ContainerSpecParser.refused(worker, allowedImages).forEach(r::error);
        if (bytes + ContainerSpecParser.size(variants) > maxArgvEnvBytes && bytes <= maxArgvEnvBytes) {
            r.error("variants", "command, args, env and secretEnv with the variants take "
                    + (bytes + ContainerSpecParser.size(variants)) + " bytes; the limit is " + maxArgvEnvBytes);
        }
        r.throwIfInvalid();
        return new JobSpec(name, queue, priority, worker,
                new JobSpec.Shape(shards, dps, workload, globalBatch),
                new JobSpec.Hardware(precisions, policy, vendor, chipTypes, efficiency), restartLimit, scheduling);
    }

    private static FieldReader.ElementReader<String> argument(FieldReader r) {
        return (n, at) -> {
            if (!n.isTextual() && !n.isNumber()) {
                r.error(at, "must be a string, got " + FieldReader.kind(n));
                return null;
            }
            String s = n.asText();
            if (s.length() > MAX_ARG_LENGTH) {
                r.error(at, "is longer than " + MAX_ARG_LENGTH + " characters");
                return null;
            }
            if (s.indexOf('\0') >= 0) {
                r.error(at, "must not contain NUL characters");
                return null;
            }
            return s;
        };
    }

    private static void checkName(FieldReader r, String field, String value) {
        if (value != null && !NAME.matcher(value).matches()) {
            r.error(field, "must start with a letter or digit and hold only letters, digits, '.', '_' and '-'");
        }
    }

    private static void checkPath(FieldReader r, String field, String path) {
        if (path == null) {
            return;
        }
        if (!path.startsWith("/")) {
            r.error(field, "must be an absolute path");
        }
        if (path.indexOf('\0') >= 0 || List.of(path.split("/")).contains("..")) {
            r.error(field, "must not contain '..' segments or NUL characters");
        }
    }

    private Map<String, String> env(FieldReader r, JsonNode doc, String path, String name) {
        String field = FieldReader.join(path, name);
        Map<String, String> env = r.stringMap(doc, path, name, MAX_ENV, MAX_ENV_VALUE).orElse(Map.of());
        Set<String> visibility = new LinkedHashSet<>();
        catalog.all().forEach(c -> visibility.add(c.visibilityEnv()));
        for (String key : env.keySet()) {
            if (!ChipCatalog.ENV_NAME.matcher(key).matches() || key.length() > 256) {
                r.error(field + "." + key, "is not a valid environment variable name");
            } else if (loaderVariable(key)) {
                r.error(field + "." + key, "is a loader, C library or allocator variable; jobs may not set it");
            } else if (RESERVED_ENV.contains(key) || key.startsWith("TESSERA_") || visibility.contains(key)) {
                r.error(field + "." + key, "is set by Tessera's worker contract and cannot be overridden");
            } else if (env.get(key).indexOf('\0') >= 0) {
                r.error(field + "." + key, "must not contain NUL characters");
            } else if (name.equals("secretEnv") && JobSpec.REDACTED.equals(env.get(key))) {
                r.error(field + "." + key, "holds the placeholder the API shows instead of a secret; send the real value");
            }
        }
        return env;
    }

    private static long size(List<String> values) {
        return values.stream().mapToLong(v -> v.getBytes(StandardCharsets.UTF_8).length + 1).sum();
    }

    private static long size(Map<String, String> env) {
        return env.entrySet().stream().mapToLong(e -> e.getKey().length() + 2
                + e.getValue().getBytes(StandardCharsets.UTF_8).length).sum();
    }

    private ShardRange shards(FieldReader r, JsonNode doc) {
        JsonNode n = doc.get("shards");
        if (n != null && n.isObject()) {
            r.rejectUnknown(n, "shards", Set.of("min", "max"));
            Optional<Long> min = r.integer(n, "shards", "min", true, 1, MAX_SHARDS);
            Optional<Long> max = r.integer(n, "shards", "max", true, 1, MAX_SHARDS);
            if (min.isPresent() && max.isPresent() && min.get() > max.get()) {
                r.error("shards", "min (" + min.get() + ") must not exceed max (" + max.get() + ")");
                return null;
            }
            return min.isPresent() && max.isPresent() ? new ShardRange(min.get().intValue(), max.get().intValue()) : null;
        }
        if (n != null && !n.isNull() && !n.isIntegralNumber()) {
            r.error("shards", "must be a whole number or a mapping with min and max, got " + FieldReader.kind(n));
            return null;
        }
        return r.integer(doc, "", "shards", true, 1, MAX_SHARDS)
                .map(c -> new ShardRange(c.intValue(), c.intValue())).orElse(null);
    }

    private Workload workload(FieldReader r, JsonNode doc) {
        boolean hasModel = doc.hasNonNull("model");
        boolean hasFlops = doc.hasNonNull("flopsPerSample");
        if (hasModel == hasFlops) {
            r.error(hasModel ? "flopsPerSample" : "model",
                    "give either model (parameters and tokensPerSample) or flopsPerSample with memoryPerShardGiB");
            return null;
        }
        if (hasFlops) {
            Optional<Double> flops = r.number(doc, "", "flopsPerSample", true, 1, 1e24);
            Optional<Double> mem = r.number(doc, "", "memoryPerShardGiB", true, 0.001, 1e5);
            Double act = activation(r, doc);
            return flops.isPresent() && mem.isPresent() ? new Workload(null, null, flops.get(), mem.get(), act) : null;
        }
        Optional<JsonNode> model = r.object(doc, "", "model", true);
        if (model.isEmpty()) {
            return null;
        }
        r.rejectUnknown(model.get(), "model", Set.of("parameters", "tokensPerSample"));
        Double params = parameters(r, model.get());
        Optional<Long> tokens = r.integer(model.get(), "model", "tokensPerSample", true, 1, 10_000_000);
        Double mem = r.number(doc, "", "memoryPerShardGiB", false, 0.001, 1e5).orElse(null);
        Double act = activation(r, doc);
        return params != null && tokens.isPresent() ? new Workload(params, tokens.get(), null, mem, act) : null;
    }

    private static Double activation(FieldReader r, JsonNode doc) {
        return r.number(doc, "", "activationGiBPerSample", false, 0, 1e4).orElse(null);
    }

    /** Per-chip-type efficiency overrides: {@code {nvidia-h20: 0.5}}. */
    private Map<String, Double> efficiency(FieldReader r, JsonNode doc) {
        Map<String, Double> out = new LinkedHashMap<>();
        r.object(doc, "", "efficiency", false).ifPresent(n -> n.fieldNames().forEachRemaining(chip -> {
            if (catalog.byId(chip).isEmpty()) {
                r.error("efficiency." + chip, "unknown chip type");
            } else {
                r.number(n, "efficiency", chip, true, 0.01, 1.0).ifPresent(v -> out.put(chip, v));
            }
        }));
        return out;
    }

    /** Parameters as a number or with a K/M/B/T suffix, e.g. {@code 7B}. */
    private static Double parameters(FieldReader r, JsonNode model) {
        JsonNode n = model.get("parameters");
        if (n != null && n.isTextual()) {
            Optional<Double> v = ModelSize.parse(n.textValue());
            if (v.isEmpty()) {
                r.error("model.parameters", "must be a number or a size like 7B or 350M, got '" + n.textValue() + "'");
            }
            return v.filter(d -> d >= 1 && d <= 1e15).orElse(null);
        }
        return r.number(model, "model", "parameters", true, 1, 1e15).orElse(null);
    }

    private static List<Precision> precisions(FieldReader r, JsonNode doc) {
        List<Precision> list = r.list(doc, "", "precisions", false, 6, (n, at) ->
                r.parsed(n, at, Precision::parse, "unknown precision; use fp32, tf32, bf16, fp16, fp8 or int8"))
                .orElse(List.of(Precision.BF16));
        if (doc.has("precisions") && list.isEmpty() && doc.get("precisions").isArray()
                && doc.get("precisions").isEmpty()) {
            r.error("precisions", "must list at least one precision");
        }
        if (new LinkedHashSet<>(list).size() != list.size()) {
            r.error("precisions", "lists a precision twice");
        }
        return list.isEmpty() ? List.of(Precision.BF16) : list;
    }

    private static VendorPolicy vendorPolicy(FieldReader r, JsonNode doc) {
        Optional<JsonNode> n = r.object(doc, "", "vendorPolicy", false);
        if (n.isEmpty()) {
            return VendorPolicy.DEFAULT;
        }
        r.rejectUnknown(n.get(), "vendorPolicy", Set.of("maxVendorShare", "minVendors"));
        Double share = r.number(n.get(), "vendorPolicy", "maxVendorShare", false, 0.01, 1.0).orElse(null);
        Integer min = r.integer(n.get(), "vendorPolicy", "minVendors", false, 1, 16).map(Long::intValue).orElse(null);
        return new VendorPolicy(share, min);
    }

    /**
     * {@code vendors} (the only ones the job may use) and {@code excludeVendors}, each a list of the
     * catalog's vendors: "Huawei only" is {@code vendors: [huawei]}, without listing every Ascend chip.
     */
    private VendorPolicy vendors(FieldReader r, JsonNode doc, VendorPolicy policy, List<String> chipTypes) {
        List<String> only = r.list(doc, "", "vendors", false, 16, vendor(r)).orElse(List.of());
        List<String> not = r.list(doc, "", "excludeVendors", false, 16, vendor(r)).orElse(List.of());
        for (String v : not) {
            if (only.contains(v)) {
                r.error("excludeVendors", "'" + v + "' is also in vendors");
            }
        }
        VendorPolicy out = new VendorPolicy(policy.maxVendorShare(), policy.minVendors(), only, not);
        for (String id : chipTypes) {
            catalog.byId(id).filter(c -> !out.allows(c.vendor())).ifPresent(c -> r.error("chipTypes", "'" + id
                    + "' is a " + c.vendor() + " chip, which vendors/excludeVendors rule out"));
        }
        long allowed = catalog.all().stream().map(ChipType::vendor).distinct().filter(out::allows).count();
        if (allowed == 0) {
            r.error(only.isEmpty() ? "excludeVendors" : "vendors", "leaves no vendor of the catalog to run on");
        } else if (policy.minVendors() != null && policy.minVendors() > allowed) {
            r.error("vendorPolicy.minVendors", "asks for " + policy.minVendors() + " vendors, but vendors/excludeVendors "
                    + "leave " + allowed);
        }
        return out;
    }

    private FieldReader.ElementReader<String> vendor(FieldReader r) {
        List<String> known = catalog.all().stream().map(ChipType::vendor).distinct().sorted().toList();
        return (n, at) -> r.parsed(n, at, v -> known.contains(v) ? Optional.of(v) : Optional.empty(),
                "unknown vendor; known vendors are " + known);
    }

    private FieldReader.ElementReader<String> chipType(FieldReader r) {
        return (n, at) -> r.parsed(n, at, id -> catalog.byId(id).map(ChipType::id),
                "unknown chip type; known types are " + catalog.all().stream().map(ChipType::id).sorted().toList());
    }
}
