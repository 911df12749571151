package io.tessera.scheduler.auth;

import io.tessera.scheduler.state.CredentialStore;
import java.time.Instant;
import io.tessera.scheduler.security.Tokens;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Agent enrollment and per-node credentials. An agent presents a join token and its node name and
 * receives a credential {@code tsa_<node>.<secret>}, valid for that node only; only its hash is
 * stored in cluster state.
 * <ul>
 *   <li>Join tokens are either the operator's token file (read again whenever it changes, so tokens
 *       rotate without a restart) or issued by an admin through the API: single- or few-use, bound
 *       to one node name or not, and expiring.</li>
 *   <li>A node that holds a live credential cannot be enrolled again, so a join token is no node's
 *       identity: re-enrolling needs the current credential, or an admin's readmit.</li>
 *   <li>Revoking a node cuts it off at once and refuses re-enrollment until an admin readmits it.</li>
 * </ul>
 */
public final class AgentCredentials implements Authenticator {
    static final String PREFIX = "tsa_";
    private final CredentialStore store;
    private final Supplier<List<String>> staticJoinHashes;
    private final Clock clock;

    public AgentCredentials(CredentialStore store, Supplier<List<String>> staticJoinHashes, Clock clock) {
        this.store = store;
        this.staticJoinHashes = staticJoinHashes;
        this.clock = clock;
    }

    /** Outcome of an enrollment. */
    public sealed interface Enrollment permits Enrolled, Refused {
    }

    public record Enrolled(String node, String credential) implements Enrollment {
    }

    public record Refused(int status, String reason) implements Enrollment {
    }

    /** A join token just issued: the token itself is shown once, here. */
    public record Issued(String id, String token, String node, int uses, String expiresAt) {
    }

    /**
     * Enrolls {@code node} with {@code joinToken}; {@code presented} is the caller's bearer token,
     * which must be the node's current credential when it already holds a live one.
     */
    public Enrollment enroll(String node, String joinToken, Optional<String> presented) {
        String hash = Tokens.sha256(joinToken == null ? "" : joinToken);
        boolean staticToken = staticJoinHashes.get().stream().anyMatch(h -> Tokens.same(h, hash));
        Optional<CredentialStore.AgentCredential> current = store.credential(node);
        if (current.map(CredentialStore.AgentCredential::revoked).orElse(false)) {
            return new Refused(403, "node " + node + " was revoked by an admin; an admin must readmit it");
        }
        boolean live = current.map(c -> c.sha256() != null && !c.readmitted()).orElse(false);
        if (live && presented.filter(p -> Tokens.same(current.get().sha256(), Tokens.sha256(p))).isEmpty()) {
            return new Refused(409, "node " + node + " is already enrolled; enrolling it again needs its current "
                    + "credential, or an admin's readmit (POST /v1/agents/" + node + "/readmit)");
        }
        if (!staticToken && !store.useJoinToken(hash, node, clock.millis())) {
            return new Refused(401, "the join token is not valid (unknown, spent, expired, or issued for another node)");
        }
        String credential = PREFIX + node + "." + Tokens.generate("").substring(0, 43);
        store.putCredential(new CredentialStore.AgentCredential(node, Tokens.sha256(credential), false, false));
        return new Enrolled(node, credential);
    }

    /** Issues a join token for {@code node} (null: any node) good for {@code uses} enrollments within {@code ttlMs}. */
    public Issued issue(String node, int uses, long ttlMs) {
        String token = Tokens.generate("tsj_");
        String hash = Tokens.sha256(token);
        long expires = clock.millis() + ttlMs;
        store.putJoinToken(new CredentialStore.JoinToken(hash.substring(0, 16), hash, node, uses, expires));
        return new Issued(hash.substring(0, 16), token, node, uses, Instant.ofEpochMilli(expires).toString());
    }

    /** Revokes an issued join token; false if there is none with that id. */
    public boolean revokeJoinToken(String id) {
        return store.deleteJoinToken(id);
    }

    /** Cuts the node off; false if it never enrolled. */
    public boolean revoke(String node) {
        boolean existed = store.credential(node).isPresent();
        store.putCredential(new CredentialStore.AgentCredential(node, null, true, false));
        return existed;
    }

    /**
     * Lets the node enroll again: a revoked node is let back in; a node that is not revoked keeps
     * its credential, valid until the node enrolls anew (after losing its credential file, say).
     */
    public void readmit(String node) {
        Optional<CredentialStore.AgentCredential> c = store.credential(node);
        if (c.map(CredentialStore.AgentCredential::revoked).orElse(false)) {
            store.putCredential(new CredentialStore.AgentCredential(node, null, false, false));
        } else if (c.isPresent()) {
            store.putCredential(new CredentialStore.AgentCredential(node, c.get().sha256(), false, true));
        }
    }

    @Override
    public Optional<Principal> authenticate(String token) {
        if (!token.startsWith(PREFIX) || token.length() > 512) {
            return Optional.empty();
        }
        int dot = token.lastIndexOf('.');
        if (dot <= PREFIX.length()) {
            return Optional.empty();
        }
        String node = token.substring(PREFIX.length(), dot);
        return store.credential(node).filter(c -> !c.revoked() && c.sha256() != null
                        && Tokens.same(c.sha256(), Tokens.sha256(token)))
                .map(c -> new Principal(node, Role.AGENT));
    }
}
