package io.tessera.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Optional;

/** How a job's shards choose their precision. */
public enum PrecisionPolicy {
    /** Every shard runs the best precision that all chosen chip types support (the default). */
    UNIFORM("uniform"),
    /** Each shard runs the best precision its own chip supports (opt-in). */
    PER_SHARD("per-shard");

    private final String wire;

    PrecisionPolicy(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wireName() {
        return wire;
    }

    public static Optional<PrecisionPolicy> parse(String text) {
        for (PrecisionPolicy p : values()) {
            if (p.wire.equalsIgnoreCase(text == null ? "" : text.trim())) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    @JsonCreator
    static PrecisionPolicy fromWire(String text) {
        return parse(text).orElseThrow(() -> new IllegalArgumentException("unknown precision policy " + text));
    }
}
