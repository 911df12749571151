package io.tessera.scheduler.loop;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Which waiting jobs have preempted others and not yet been placed: the queue pass offers them
 * capacity first, so the room their victims give up is not taken back by the victims themselves
 * or by others. A claim lapses when its job is placed or leaves the queue, or after
 * {@link #LAPSE_MS} (its victims' grace and a few passes). Owned by the scheduling loop's thread.
 */
public final class PreemptionClaims {
    static final long LAPSE_MS = 10 * 60_000;
    private final Map<String, Long> claims = new HashMap<>();
    private final LongSupplier nowMs;

    public PreemptionClaims(LongSupplier nowMs) {
        this.nowMs = nowMs;
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
