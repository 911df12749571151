package io.tessera.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Optional;

/**
 * Numeric precisions a chip can train in. The wire and YAML name is the lower-case enum name.
 * Contract: {@link #parse} accepts exactly the wire names, case-insensitively.
 */
public enum Precision {
    FP32, TF32, BF16, FP16, FP8, INT8;

    /** The name used in YAML, JSON and the worker environment. */
    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a wire name; empty when the text names no precision. */
    public static Optional<Precision> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        for (Precision p : values()) {
            if (p.wireName().equalsIgnoreCase(text.trim())) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    @JsonCreator
    static Precision fromWire(String text) {
        return parse(text).orElseThrow(() -> new IllegalArgumentException("unknown precision " + text));
    }
}
