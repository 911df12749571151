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
 *   <li>A readmit issues one join token bound to the node; only that token enrolls it next.</li>
 *   <li>Tokens in the operator's file may carry an expiry, a use count (counted cluster-wide) and a
 *       node; a line with none of them is accepted as before, with a warning at every load.</li>
 * </ul>
 */
public final class AgentCredentials implements Authenticator {
    static final String PREFIX = "tsa_";
    private final CredentialStore store;
    private final Supplier<List<TokenFile.Line>> staticJoinTokens;
    private final Clock clock;

    public AgentCredentials(CredentialStore store, Supplier<List<TokenFile.Line>> staticJoinTokens, Clock clock) {
        this.store = store;
        this.staticJoinTokens = staticJoinTokens;
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
     * which must be the node's current credential when it already holds a live one. A readmitted
     * node enrolls only with the join token its readmit issued. The new credential is stored with
     * a compare-and-set against the record read here, so of two enrollments racing for one node
     * only one gets a credential.
     */
    public Enrollment enroll(String node, String joinToken, Optional<String> presented) {
        String hash = Tokens.sha256(joinToken == null ? "" : joinToken);
        CredentialStore.AgentCredential current = store.credential(node).orElse(null);
        if (current != null && current.revoked()) {
            return new Refused(403, "node " + node + " was revoked by an admin; an admin must readmit it");
        }
        boolean holder = current != null && current.sha256() != null
                && presented.filter(p -> Tokens.same(current.sha256(), Tokens.sha256(p))).isPresent();
        if (current != null && current.readmitted() && !holder) {
            if (current.readmitSha256() == null || !Tokens.same(current.readmitSha256(), hash)
                    || !store.useJoinToken(hash, node, clock.millis())) {
                return new Refused(403, "node " + node + " was readmitted: it enrolls only with the join token "
                        + "the readmit issued (tessera readmit " + node + " prints it)");
            }
        } else {
            if (current != null && current.sha256() != null && !holder) {
                return new Refused(409, "node " + node + " is already enrolled; enrolling it again needs its current "
                        + "credential, or an admin's readmit (POST /v1/agents/" + node + "/readmit)");
            }
            if (!joinTokenValid(hash, node)) {
                return new Refused(401, "the join token is not valid (unknown, spent, expired, or issued for another node)");
            }
        }
        String credential = PREFIX + node + "." + Tokens.generate("").substring(0, 43);
        if (!store.replaceCredential(current, new CredentialStore.AgentCredential(node, Tokens.sha256(credential),
                false, false))) {
            return new Refused(409, "node " + node + " was enrolled or changed by another call at the same moment; try again");
        }
        return new Enrolled(node, credential);
    }

    /** A token from the file (its limits counted in the store unless it has none) or one an admin issued. */
    private boolean joinTokenValid(String hash, String node) {
        Optional<TokenFile.Line> line = staticJoinTokens.get().stream().filter(l -> Tokens.same(l.sha256(), hash)).findFirst();
        if (line.isPresent() && line.get().unlimited()) {
            return true;
        }
        line.ifPresent(l -> store.putJoinTokenIfAbsent(l.asJoinToken()));
        return store.useJoinToken(hash, node, clock.millis());
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
     * Lets the node enroll again, with one new join token bound to it, for one use within
     * {@code ttlMs}: returned here, shown once. A revoked node is let back in; a node that is not
     * revoked keeps its credential, valid until it enrolls anew. Until then no other join token
     * enrolls it, so readmitting a live node does not hand its identity to whoever holds a fleet
     * token. Empty when the node never enrolled.
     */
    public Optional<Issued> readmit(String node, long ttlMs) {
        while (true) {
            CredentialStore.AgentCredential c = store.credential(node).orElse(null);
            if (c == null) {
                return Optional.empty();
            }
            Issued token = issue(node, 1, ttlMs);
            CredentialStore.AgentCredential next = new CredentialStore.AgentCredential(node, c.revoked() ? null : c.sha256(),
                    false, true, Tokens.sha256(token.token()));
            if (store.replaceCredential(c, next)) {
                return Optional.of(token);
            }
            revokeJoinToken(token.id());
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
