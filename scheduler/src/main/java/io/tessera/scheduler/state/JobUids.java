package io.tessera.scheduler.state;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Per-job uids, unique across the fleet: a uid belongs to one job from its submission until it
 * finishes. A uid whose job has finished (or left the state) is free again, but one never handed
 * out is preferred, so a uid is reused only when the range is crowded: files a finished job left
 * on shared storage are not handed to the next job while fresh uids remain. Taking a uid is one
 * compare-and-set, so two members never give one uid to two live jobs. The table is shared by
 * the members but not written to the database: each job record keeps its uid, and a member that
 * starts adopts the live jobs' uids ({@link #adopt}), so a whole-cluster restart loses nothing and
 * a submission costs no extra database write. Blocking, thread-safe.
 */
public interface JobUids {
    /** How far to look for a never-used uid before taking back a finished job's. */
    int FRESH_PROBES = 256;

    /**
     * A uid from {@code [first, last]} for {@code jobId}: its own if it holds one already; empty when
     * every uid belongs to a live job. {@code finished} says whether a holder's job is over.
     */
    OptionalInt allocate(String jobId, int first, int last, Predicate<String> finished);

    /** Which job holds {@code uid}, if any. */
    Optional<String> holder(int uid);

    /**
     * Records that {@code jobId} holds {@code uid} unless someone does already: how a member that
     * starts rebuilds the table from the jobs' own records (the table itself is not written to the
     * database; each job record keeps its uid durably).
     */
    void adopt(String jobId, int uid);

    /** The probing both adapters share, over their own compare-and-set. */
    interface Slots {
        /** Makes {@code job} the uid's holder if it has none; returns the holder it had (null: it was free, now taken). */
        String claim(int uid, String job);

        /** Makes {@code job} the uid's holder if it is still {@code expected}; true if so. */
        boolean replace(int uid, String expected, String job);
    }

    /**
     * Probes from a point the job id picks: fresh uids first (one claim each, no read first), then
     * finished jobs' uids.
     */
    static OptionalInt allocate(Slots slots, String jobId, int first, int last, Predicate<String> finished) {
        long size = (long) last - first + 1;
        long start = Math.floorMod(jobId.hashCode() * 0x9E3779B9L, size);
        Map<Integer, String> held = new HashMap<>();
        for (long i = 0; i < Math.min(FRESH_PROBES, size); i++) {
            int uid = (int) (first + (start + i) % size);
            String holder = slots.claim(uid, jobId);
            if (holder == null || holder.equals(jobId)) {
                return OptionalInt.of(uid);
            }
            held.put(uid, holder);
        }
        for (long i = 0; i < size; i++) {
            int uid = (int) (first + (start + i) % size);
            String holder = held.containsKey(uid) ? held.get(uid) : slots.claim(uid, jobId);
            if (holder == null || holder.equals(jobId)) {
                return OptionalInt.of(uid);
            }
            if (finished.test(holder) && slots.replace(uid, holder, jobId)) {
                return OptionalInt.of(uid);
            }
        }
        return OptionalInt.empty();
    }

    /** Uids in this process's memory, for tests and the simulator. */
    static JobUids inMemory() {
        Map<Integer, String> map = new ConcurrentHashMap<>();
        Slots slots = new Slots() {
            @Override
            public String claim(int uid, String job) {
                return map.putIfAbsent(uid, job);
            }

            @Override
            public boolean replace(int uid, String expected, String job) {
                return map.replace(uid, expected, job);
            }
        };
        return new JobUids() {
            @Override
            public OptionalInt allocate(String jobId, int first, int last, Predicate<String> finished) {
                return JobUids.allocate(slots, jobId, first, last, finished);
            }

            @Override
            public Optional<String> holder(int uid) {
                return Optional.ofNullable(map.get(uid));
            }

            @Override
            public void adopt(String jobId, int uid) {
                map.putIfAbsent(uid, jobId);
            }
        };
    }
}
