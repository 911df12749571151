package io.tessera.scheduler.placement;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/**
 * A typed reason a chip type was not used, with a human-readable detail.
 *
 * @param chipType catalog id the veto is about, or {@code *} for the whole cluster
 * @param reason   the kind of veto
 * @param detail   one sentence for the job's events
 */
public record Veto(String chipType, VetoReason reason, String detail) {
    /** The veto's kind, lower case in JSON: {@code static}, {@code dynamic} or {@code choice}. */
    @JsonProperty("kind")
    public String kind() {
        return reason.kind().name().toLowerCase(Locale.ROOT);
    }


    @Override
    public String toString() {
        return chipType + ": " + reason.name().toLowerCase(Locale.ROOT).replace('_', ' ') + " (" + detail + ")";
    }
}
