package io.tessera.scheduler.state;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What each user's live jobs hold, as last counted, shared by every member: read and written only
 * under the user's cluster-wide admission lock ({@link JobStore#exclusively}), so a submission on
 * any member sees every job the others accepted. A cache: an entry older than its time to live, or
 * missing (after a restart), is counted again from the jobs themselves. Blocking, thread-safe.
 */
public interface UsageLedger {
    /**
     * A user's counted usage.
     *
     * @param jobs       live jobs
     * @param specBytes  bytes of their specs
     * @param countedAtMs when it was last counted from the jobs (not when it last grew)
     */
    record Entry(int jobs, long specBytes, long countedAtMs) {
    }

    Optional<Entry> get(String user);

    void put(String user, Entry entry);

    /** A ledger in this process's memory, for tests and a member alone. */
    static UsageLedger inMemory() {
        Map<String, Entry> map = new ConcurrentHashMap<>();
        return new UsageLedger() {
            @Override
            public Optional<Entry> get(String user) {
                return Optional.ofNullable(map.get(user));
            }

            @Override
            public void put(String user, Entry entry) {
                map.put(user, entry);
            }
        };
    }
}
