package io.tessera.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads typed fields out of a document tree and collects every problem with its field path,
 * so a caller can report all errors at once. Reads never throw; a missing or mistyped field
 * yields empty and records an error (for required fields or wrong types).
 * Not thread-safe: one reader per document.
 */
public final class FieldReader {
    private final List<ValidationError> errors = new ArrayList<>();

    /** Records an error. */
    public void error(String field, String message) {
        errors.add(new ValidationError(field, message));
    }

    public List<ValidationError> errors() {
        return List.copyOf(errors);
    }

    /** Throws a {@link ValidationException} with every error so far, if there are any. */
    public void throwIfInvalid() {
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
    }

    /** Flags fields of {@code node} that are not in {@code known}, which are usually typos. */
    public void rejectUnknown(JsonNode node, String path, Set<String> known) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!known.contains(name)) {
                error(join(path, name), "unknown field; known fields are " + known.stream().sorted().toList());
            }
        }
    }

    public Optional<String> string(JsonNode parent, String path, String name, boolean required, int maxLength) {
        JsonNode n = field(parent, path, name, required);
        if (n == null) {
            return Optional.empty();
        }
        if (!n.isTextual()) {
            error(join(path, name), "must be a string, got " + kind(n));
            return Optional.empty();
        }
        String s = n.textValue();
        if (s.length() > maxLength) {
            error(join(path, name), "is " + s.length() + " characters long; the limit is " + maxLength);
            return Optional.empty();
        }
        return Optional.of(s);
    }

    public Optional<Long> integer(JsonNode parent, String path, String name, boolean required, long min, long max) {
        JsonNode n = field(parent, path, name, required);
        if (n == null) {
            return Optional.empty();
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            error(join(path, name), "must be a whole number, got " + kind(n));
            return Optional.empty();
        }
        return inRange(join(path, name), n.longValue(), min, max);
    }

    public Optional<Double> number(JsonNode parent, String path, String name, boolean required, double min, double max) {
        JsonNode n = field(parent, path, name, required);
        if (n == null) {
            return Optional.empty();
        }
        if (!n.isNumber()) {
            error(join(path, name), "must be a number, got " + kind(n));
            return Optional.empty();
        }
        double v = n.doubleValue();
        if (!Double.isFinite(v) || v < min || v > max) {
            error(join(path, name), "must be between " + fmt(min) + " and " + fmt(max) + ", got " + n.asText());
            return Optional.empty();
        }
        return Optional.of(v);
    }

    /** A list whose elements are converted by {@code element}; null elements mean "already reported". */
    public <T> Optional<List<T>> list(JsonNode parent, String path, String name, boolean required, int maxItems,
                                      ElementReader<T> element) {
        JsonNode n = field(parent, path, name, required);
        if (n == null) {
            return Optional.empty();
        }
        String at = join(path, name);
        if (!n.isArray()) {
            error(at, "must be a list, got " + kind(n));
            return Optional.empty();
        }
        if (n.size() > maxItems) {
            error(at, "has " + n.size() + " items; the limit is " + maxItems);
            return Optional.empty();
        }
        List<T> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            T v = element.read(n.get(i), at + "[" + i + "]");
            if (v != null) {
                out.add(v);
            }
        }
        return Optional.of(out);
    }

    /** A string-to-string map. */
    public Optional<Map<String, String>> stringMap(JsonNode parent, String path, String name, int maxEntries,
                                                   int maxValueLength) {
        JsonNode n = field(parent, path, name, false);
        if (n == null) {
            return Optional.empty();
        }
        String at = join(path, name);
        if (!n.isObject()) {
            error(at, "must be a mapping of names to strings, got " + kind(n));
            return Optional.empty();
        }
        if (n.size() > maxEntries) {
            error(at, "has " + n.size() + " entries; the limit is " + maxEntries);
            return Optional.empty();
        }
        Map<String, String> out = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            if (!v.isValueNode() || v.isNull()) {
                error(at + "." + e.getKey(), "must be a string, got " + kind(v));
            } else if (v.asText().length() > maxValueLength) {
                error(at + "." + e.getKey(), "is longer than " + maxValueLength + " characters");
            } else {
                out.put(e.getKey(), v.asText());
            }
        });
        return Optional.of(out);
    }

    /** The object at {@code name}, or empty (with an error if it is there but not an object). */
    public Optional<JsonNode> object(JsonNode parent, String path, String name, boolean required) {
        JsonNode n = field(parent, path, name, required);
        if (n == null) {
            return Optional.empty();
        }
        if (!n.isObject()) {
            error(join(path, name), "must be a mapping, got " + kind(n));
            return Optional.empty();
        }
        return Optional.of(n);
    }

    /** Maps a string through {@code parse}; a failed parse records {@code problem}. */
    public <T> T parsed(JsonNode n, String at, Function<String, Optional<T>> parse, String problem) {
        if (n == null || !n.isTextual()) {
            error(at, "must be a string, got " + kind(n));
            return null;
        }
        Optional<T> v = parse.apply(n.textValue());
        if (v.isEmpty()) {
            error(at, problem + ", got '" + abbreviate(n.textValue()) + "'");
        }
        return v.orElse(null);
    }

    private JsonNode field(JsonNode parent, String path, String name, boolean required) {
        JsonNode n = parent == null ? null : parent.get(name);
        if (n == null || n.isNull()) {
            if (required) {
                error(join(path, name), "is required");
            }
            return null;
        }
        return n;
    }

    private Optional<Long> inRange(String at, long v, long min, long max) {
        if (v < min || v > max) {
            error(at, "must be between " + min + " and " + max + ", got " + v);
            return Optional.empty();
        }
        return Optional.of(v);
    }

    /** Joins a parent path and a field name. */
    public static String join(String path, String name) {
        return path == null || path.isEmpty() ? name : path + "." + name;
    }

    /** A short name for a node's type, for error messages. */
    public static String kind(JsonNode n) {
        if (n == null || n.isNull()) {
            return "null";
        }
        if (n.isTextual()) {
            return "a string";
        }
        if (n.isBoolean()) {
            return "a boolean";
        }
        if (n.isNumber()) {
            return "the number " + abbreviate(n.asText());
        }
        return n.isArray() ? "a list" : "a mapping";
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    /** Converts one list element; returns null after recording an error. */
    @FunctionalInterface
    public interface ElementReader<T> {
        T read(JsonNode node, String path);
    }
}
