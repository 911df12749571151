package io.tessera.scheduler.state;

import java.util.Optional;

/**
 * Agents' credentials (hashes only) and the join tokens admins issue: what enrollment and agent
 * authentication read and write. Blocking, thread-safe.
 */
public interface CredentialStore {
    /**
     * An agent's stored credential: only its hash; whether an admin revoked the node; and whether
     * an admin readmitted it, which lets it enroll again without presenting its current credential,
     * but only with the join token the readmit issued.
     *
     * @param node          the node
     * @param sha256        the credential's hash, or null when it has none
     * @param revoked       an admin cut it off
     * @param readmitted    an admin let it enroll again
     * @param readmitSha256 the hash of the one join token that enrolls it after the readmit, or null
     */
    record AgentCredential(String node, String sha256, boolean revoked, boolean readmitted, String readmitSha256) {
        public AgentCredential(String node, String sha256, boolean revoked, boolean readmitted) {
            this(node, sha256, revoked, readmitted, null);
        }
    }

    Optional<AgentCredential> credential(String node);

    void putCredential(AgentCredential credential);

    /**
     * Replaces the node's credential with {@code next} only if it is still {@code expected} (null:
     * absent), atomically across members; false when something else changed it first.
     */
    boolean replaceCredential(AgentCredential expected, AgentCredential next);

    /**
     * A join token an admin issued through the API: only its hash is kept. It may be bound to one
     * node name, allows {@code usesLeft} enrollments, and expires.
     *
     * @param id          the first 16 hex digits of the hash; names it for revocation
     * @param sha256      the token's hash
     * @param node        the only node it enrolls, or null for any
     * @param usesLeft    enrollments it still allows
     * @param expiresAtMs epoch millis after which it is void
     */
    record JoinToken(String id, String sha256, String node, int usesLeft, long expiresAtMs) {
    }

    void putJoinToken(JoinToken token);

    /** Stores the token unless one with its id is stored already (whose uses left are kept); true if stored. */
    boolean putJoinTokenIfAbsent(JoinToken token);

    /**
     * Spends one use of the token with hash {@code sha256} to enroll {@code node}, atomically;
     * false when it is unknown, spent, expired or bound to another node.
     */
    boolean useJoinToken(String sha256, String node, long nowMs);

    /** Revokes an issued join token; false if there was none with that id. */
    boolean deleteJoinToken(String id);
}
