package io.tessera.scheduler.state.hazelcast;

import com.hazelcast.map.IMap;
import io.tessera.scheduler.state.CheckpointClaims;
import java.util.Optional;

/** Checkpoint-directory claims on a Hazelcast map, one claim at a time across the cluster. */
final class HazelcastCheckpointClaims {
    private static final String CLAIMS_LOCK = "~claims";

    private HazelcastCheckpointClaims() {
    }

    /**
     * Claims {@code dir} for {@code owner}; the user whose claim conflicts, if any. Two users claiming
     * nested directories at once must not both pass the check (the check reads every claim, the
     * write is one key), so the check and the write hold one cluster-wide lock.
     */
    static Optional<String> claim(IMap<String, String> owners, String dir, String owner) {
        owners.lock(CLAIMS_LOCK);
        try {
            Optional<String> other = CheckpointClaims.conflict(owners, dir, owner);
            if (other.isPresent()) {
                return other;
            }
            String prev = owners.putIfAbsent(dir, owner);
            return prev == null || prev.equals(owner) ? Optional.empty() : Optional.of(prev);
        } finally {
            owners.unlock(CLAIMS_LOCK);
        }
    }
}
