package io.tessera.scheduler.loop;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * What the queue pass and the preemptor agree on, owned by the scheduling loop's thread.
 * <ul>
 *   <li>Which waiting jobs have preempted others and not yet been placed: the queue pass offers
 *       them capacity first, so the room their victims give up is not taken back by the victims
 *       themselves or by others. A claim lapses when its job is placed or leaves the queue, or
 *       after {@link #LAPSE_MS} (its victims' grace and a few passes).</li>
 *   <li>Which jobs were just placed on their reservation: for {@link #PROTECT_MS} they are not
 *       victims of fair-share preemption (Slurm's PreemptExemptTime, for reserved starts only).
 *       Regression: in the fair-share replay, the gang that had waited for its reservation was the
 *       cheapest victim the moment it started (no work to lose) and went straight back to the
 *       queue, hours past its reservation.</li>
 * </ul>
 */
public final class PreemptionClaims {
    static final long LAPSE_MS = 10 * 60_000;
    private final Map<String, Long> claims = new HashMap<>();
    private final LongSupplier nowMs;

    public PreemptionClaims(LongSupplier nowMs) {
        this.nowMs = nowMs;
    }

    static final long PROTECT_MS = 10 * 60_000;
    private final Map<String, Long> reservedStarts = new HashMap<>();

    /** {@code jobId} was placed on its reservation now. */
    void startedOnReservation(String jobId) {
        long now = nowMs.getAsLong();
        reservedStarts.values().removeIf(at -> now - at >= PROTECT_MS);
        reservedStarts.put(jobId, now);
    }

    /** Whether {@code jobId} started on its reservation less than {@link #PROTECT_MS} ago. */
    boolean protectedFromFairShare(String jobId) {
        Long at = reservedStarts.get(jobId);
        return at != null && nowMs.getAsLong() - at < PROTECT_MS;
    }

    /** Forgets every claim and reserved start. */
    void clear() {
        claims.clear();
        reservedStarts.clear();
    }

    void claim(String jobId) {
        claims.put(jobId, nowMs.getAsLong());
    }

    /** The claims in force, forgetting those of jobs not in {@code queued} and those that lapsed. */
    Set<String> active(Set<String> queued) {
        long now = nowMs.getAsLong();
        claims.entrySet().removeIf(e -> !queued.contains(e.getKey()) || now - e.getValue() >= LAPSE_MS);
        return Set.copyOf(claims.keySet());
    }
}
