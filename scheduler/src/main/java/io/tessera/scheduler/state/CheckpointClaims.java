package io.tessera.scheduler.state;

import java.util.Map;
import java.util.Optional;

/** Whether a checkpoint directory may be claimed: pure over the claims so far (directory to owner). */
public final class CheckpointClaims {
    private CheckpointClaims() {
    }

    /** The owner of a claimed directory that is {@code dir}, inside it or around it, when that owner is not {@code owner}. */
    public static Optional<String> conflict(Map<String, String> claims, String dir, String owner) {
        String mine = slash(dir);
        for (Map.Entry<String, String> e : claims.entrySet()) {
            String other = slash(e.getKey());
            if (!e.getValue().equals(owner) && (other.startsWith(mine) || mine.startsWith(other))) {
                return Optional.of(e.getValue());
            }
        }
        return Optional.empty();
    }

    private static String slash(String dir) {
        return dir.endsWith("/") ? dir : dir + "/";
    }
}
