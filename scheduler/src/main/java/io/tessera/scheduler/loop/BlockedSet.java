package io.tessera.scheduler.loop;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The one place the loop remembers, from pass to pass, which queued jobs need not be tried again:
 * a job tried against a state of the fleet (its capacity {@code fingerprint}) and found blocked is
 * tried again only once that state changes. Each kind of trial keeps its own entries: placing the
 * job, checking it against the idle fleet. (The preemptor's memory of failed victim searches is its
 * own: whether victims help depends on the clock as well as on the fleet, so it is not exact.) The loop's {@link CycleMemory} carries it from pass to pass.
 *
 * <p>A set made {@link #forgetting()} remembers nothing, so every job is tried on every pass: the
 * reference that {@code BlockedSetPropertyTest} holds the remembering set to (same decisions).
 */
public final class BlockedSet {
    /** What was tried. */
    public enum Trial {
        /** Placing the job: it did not fit. */
        PLACEMENT,
        /** Placing it on the idle fleet: it fits (so it waits for capacity, not for new nodes). */
        IDLE_FLEET
    }

    private final boolean remembers;
    private final Map<Trial, Map<String, Long>> tried = new EnumMap<>(Trial.class);

    private BlockedSet(boolean remembers) {
        this.remembers = remembers;
        for (Trial t : Trial.values()) {
            tried.put(t, new HashMap<>());
        }
    }

    /** Remembers each job's last trial until its state changes. */
    public static BlockedSet remembering() {
        return new BlockedSet(true);
    }

    /** Remembers nothing: every job is tried on every pass. */
    public static BlockedSet forgetting() {
        return new BlockedSet(false);
    }

    /** Whether {@code job} was already tried this way against exactly {@code fingerprint}. */
    public synchronized boolean triedOn(Trial trial, String job, long fingerprint) {
        Long at = tried.get(trial).get(job);
        return at != null && at == fingerprint;
    }

    /** Records that {@code job} was tried this way against {@code fingerprint} (and is blocked there). */
    public synchronized void tried(Trial trial, String job, long fingerprint) {
        if (remembers) {
            tried.get(trial).put(job, fingerprint);
        }
    }

    /** Forgets the jobs of {@code trial} that are no longer in {@code live} (placed, cancelled, gone). */
    public synchronized void retain(Trial trial, Set<String> live) {
        tried.get(trial).keySet().retainAll(live);
    }

    /** Forgets every trial. */
    public synchronized void clear() {
        tried.values().forEach(Map::clear);
    }

    /** How many jobs are remembered for {@code trial}. */
    public synchronized int size(Trial trial) {
        return tried.get(trial).size();
    }
}
