package io.tessera.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Reads and checks the container fields of a job spec: {@code image} (an OCI image reference) and
 * {@code variants} (per-vendor or per-chip-type overrides, {@link WorkerVariant}). A variant key
 * must be a vendor or a chip type of the catalog that the job may run on; its environment passes
 * the same checks as the job's. Every problem is recorded in the {@link FieldReader} under its
 * field path ({@code variants.huawei.image}). Pure; used by {@link JobSpecParser}.
 */
final class ContainerSpecParser {
    /** The longest image reference accepted. */
    static final int MAX_IMAGE = 255;
    static final int MAX_VARIANTS = 32;
    private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    /**
     * An OCI image reference, as the distribution spec's grammar has it: an optional registry
     * host (with a port), a lower-case repository path, an optional tag and an optional digest.
     */
    private static final String LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?";
    /** A registry host: has a dot or a port, or is localhost (else the first part is a repository path). */
    private static final String DOMAIN = "(?:(?:localhost|" + LABEL + "(?:\\." + LABEL + ")+)(?::[0-9]{1,5})?|"
            + LABEL + ":[0-9]{1,5})";
    /**
     * An OCI image reference, as the distribution spec's grammar has it: an optional registry
     * host (with a port), a lower-case repository path, an optional tag and an optional digest.
     */
    private static final Pattern IMAGE = Pattern.compile("(?:" + DOMAIN + "/)?" + COMPONENT + "(?:/" + COMPONENT + ")*"
            + "(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,})?");
    private static final Set<String> VARIANT_FIELDS = Set.of("image", "command", "args", "env");

    private ContainerSpecParser() {
    }

    /** Whether {@code ref} is a well-formed OCI image reference. */
    static boolean validImage(String ref) {
        return ref != null && ref.length() <= MAX_IMAGE && IMAGE.matcher(ref).matches();
    }

    /** The job's {@code image}, or null (with an error recorded when it is there but malformed). */
    static String image(FieldReader r, JsonNode doc, String path) {
        String at = FieldReader.join(path, "image");
        String image = r.string(doc, path, "image", false, MAX_IMAGE + 1).orElse(null);
        if (image != null && !validImage(image)) {
            r.error(at, "is not an OCI image reference (like registry.example/team/train:cuda12.4 or "
                    + "localhost/train@sha256:...): lower-case repository, optional tag and digest, at most "
                    + MAX_IMAGE + " characters");
            return null;
        }
        return image;
    }

    /**
     * The job's {@code variants}, keyed by vendor or chip type.
     *
     * @param env       reads and checks an environment map at a field path (the job's own rules)
     * @param argument  reads one command or argument element
     * @param allowed   whether the job's chip types and vendors allow a chip type
     */
    static Map<String, WorkerVariant> variants(FieldReader r, JsonNode doc, ChipCatalog catalog,
                                               BiFunction<JsonNode, String, Map<String, String>> env,
                                               FieldReader.ElementReader<String> argument,
                                               Predicate<ChipType> allowed) {
        Map<String, WorkerVariant> out = new LinkedHashMap<>();
        JsonNode n = r.object(doc, "", "variants", false).orElse(null);
        if (n == null) {
            return out;
        }
        if (n.size() > MAX_VARIANTS) {
            r.error("variants", "has " + n.size() + " entries; the limit is " + MAX_VARIANTS);
            return out;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String at = "variants." + e.getKey();
            if (!knownKey(r, at, e.getKey(), catalog, allowed)) {
                continue;
            }
            if (!e.getValue().isObject()) {
                r.error(at, "must be a mapping of image, command, args and env, got " + FieldReader.kind(e.getValue()));
                continue;
            }
            JsonNode v = e.getValue();
            r.rejectUnknown(v, at, VARIANT_FIELDS);
            List<String> command = r.list(v, at, "command", false, JobSpecParser.MAX_ARGS, argument).orElse(null);
            if (command != null && command.isEmpty()) {
                r.error(at + ".command", "must name at least the executable");
            }
            List<String> args = r.list(v, at, "args", false, JobSpecParser.MAX_ARGS, argument).orElse(null);
            Map<String, String> vars = v.has("env") ? env.apply(v, at) : null;
            WorkerVariant variant = new WorkerVariant(image(r, v, at), command, args, vars);
            if (variant.equals(WorkerVariant.NONE)) {
                r.error(at, "changes nothing: set at least one of image, command, args and env");
            }
            out.put(e.getKey(), variant);
        }
        return out;
    }

    /** Whether {@code key} names a vendor or chip type of the catalog that the job may run on; records why not. */
    private static boolean knownKey(FieldReader r, String at, String key, ChipCatalog catalog,
                                    Predicate<ChipType> allowed) {
        var chip = catalog.byId(key);
        if (chip.isPresent()) {
            if (!allowed.test(chip.get())) {
                r.error(at, "is for chip type '" + key + "', which this job's chipTypes or vendors rule out");
                return false;
            }
            return true;
        }
        List<ChipType> ofVendor = catalog.all().stream().filter(c -> c.vendor().equals(key)).toList();
        if (ofVendor.isEmpty()) {
            r.error(at, "is neither a vendor nor a chip type of the catalog (vendors: " + String.join(", ",
                    catalog.all().stream().map(ChipType::vendor).distinct().sorted().toList()) + ")");
            return false;
        }
        if (ofVendor.stream().noneMatch(allowed)) {
            r.error(at, "is for vendor '" + key + "', none of whose chip types this job's chipTypes or vendors allow");
            return false;
        }
        return true;
    }

    /**
     * The errors of a spec's images against an admin allow-list of glob patterns ({@code *} any
     * run of characters): the field each refused image came from, and why. An empty list allows
     * every image.
     */
    static Map<String, String> refused(JobSpec.Worker spec, List<String> allowed) {
        Map<String, String> out = new LinkedHashMap<>();
        if (allowed.isEmpty()) {
            return out;
        }
        if (spec.image() != null && !allowed(spec.image(), allowed)) {
            out.put("image", refusal(spec.image()));
        }
        spec.variants().forEach((k, v) -> {
            if (v.image() != null && !allowed(v.image(), allowed)) {
                out.put("variants." + k + ".image", refusal(v.image()));
            }
        });
        return out;
    }

    /**
     * Records an error for every line break in the environment of a job that runs in containers:
     * the runtime's environment file holds one variable a line.
     */
    static void checkEnvForContainers(FieldReader r, JobSpec.Worker w) {
        if (w.image() == null && w.variants().values().stream().allMatch(v -> v.image() == null)) {
            return;
        }
        lineBreaks(r, "env", w.env());
        lineBreaks(r, "secretEnv", w.secretEnv());
        w.variants().forEach((k, v) -> lineBreaks(r, "variants." + k + ".env", v.env() == null ? Map.of() : v.env()));
    }

    private static void lineBreaks(FieldReader r, String at, Map<String, String> env) {
        env.forEach((k, v) -> {
            if (v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
                r.error(at + "." + k, "must not contain a line break in a job that runs in containers");
            }
        });
    }

    /** The bytes of command, args and env that the variants add. */
    static long size(Map<String, WorkerVariant> variants) {
        long out = 0;
        for (WorkerVariant v : variants.values()) {
            out += v.command() == null ? 0 : v.command().stream().mapToLong(a -> a.length() + 1L).sum();
            out += v.args() == null ? 0 : v.args().stream().mapToLong(a -> a.length() + 1L).sum();
            out += v.env() == null ? 0 : v.env().entrySet().stream()
                    .mapToLong(e -> e.getKey().length() + 2L + e.getValue().length()).sum();
        }
        return out;
    }

    private static String refusal(String image) {
        return "image '" + image + "' is not allowed on this cluster (containers.allowedImages); ask an admin";
    }

    /** Whether {@code image} matches one of the glob {@code patterns}. */
    static boolean allowed(String image, List<String> patterns) {
        return patterns.stream().anyMatch(p -> Pattern.compile(glob(p)).matcher(image).matches());
    }

    private static String glob(String pattern) {
        StringBuilder out = new StringBuilder();
        for (String part : pattern.split("\\*", -1)) {
            if (!out.isEmpty()) {
                out.append(".*");
            }
            out.append(Pattern.quote(part));
        }
        return out.toString();
    }
}
