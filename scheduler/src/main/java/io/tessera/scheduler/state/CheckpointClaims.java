package io.tessera.scheduler.state;

import io.tessera.config.CanonicalPath;
import java.util.Map;
import java.util.Optional;

/** Whether a checkpoint directory may be claimed: pure over the claims so far (directory to owner). */
public final class CheckpointClaims {
    private CheckpointClaims() {
    }

    /**
     * The owner of a claimed directory that is {@code dir}, inside it or around it, when that owner
     * is not {@code owner}; both compared in their one spelling ({@link CanonicalPath}), claims
     * stored before specs were canonical included. Regression (issue 27, N6): {@code /data//a} and
     * {@code /data/./a} passed for another directory than {@code /data/a}.
     */
    public static Optional<String> conflict(Map<String, String> claims, String dir, String owner) {
        String mine = slash(CanonicalPath.of(dir));
        for (Map.Entry<String, String> e : claims.entrySet()) {
            String other = slash(CanonicalPath.of(e.getKey()));
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
