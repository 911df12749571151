package io.tessera.scheduler.placement;

/**
 * A typed reason a chip type was not used, with a human-readable detail.
 *
 * @param chipType catalog id the veto is about, or {@code *} for the whole cluster
 * @param reason   the kind of veto
 * @param detail   one sentence for the job's events
 */
public record Veto(String chipType, VetoReason reason, String detail) {
    @Override
    public String toString() {
        return chipType + ": " + reason.name().toLowerCase().replace('_', ' ') + " (" + detail + ")";
    }
}
