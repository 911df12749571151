package io.tessera.scheduler.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import io.tessera.scheduler.placement.VetoReason;
import java.util.List;

/**
 * Why a queued job waits: its kind, the reason for people, and, for a job that does not fit, the
 * typed vetoes that kept it out (so a change of cause is a change of kind without reading text).
 *
 * @param kind   the gate that held the job
 * @param reason one sentence for people, with its numbers and the jobs it waits for
 * @param causes for {@link WaitKind#NO_FIT} and {@link WaitKind#NEVER_FITS}: the distinct veto
 *               reasons of the chip types that could not take it, sorted; empty otherwise
 */
public record Waiting(WaitKind kind, String reason, List<VetoReason> causes) {
    public Waiting {
        causes = causes == null ? List.of() : causes.stream().distinct().sorted().toList();
    }

    public Waiting(WaitKind kind, String reason) {
        this(kind, reason, List.of());
    }

    /** A reason stored before reasons had kinds (a plain {@code waitingReason} string). */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static Waiting untyped(String reason) {
        return new Waiting(WaitKind.UNKNOWN, reason);
    }

    /**
     * Whether {@code other} is a wait of the same kind (and, for jobs that do not fit, of the same
     * causes): a WAITING event is added only when this changes, so a job waiting through many
     * capacity changes does not collect an event for each.
     */
    public boolean sameKind(Waiting other) {
        return other != null && kind == other.kind && causes.equals(other.causes);
    }
}
