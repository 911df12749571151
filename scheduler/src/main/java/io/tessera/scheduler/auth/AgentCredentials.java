package io.tessera.scheduler.auth;

import io.tessera.scheduler.state.ClusterStore;
import java.util.List;
import java.util.Optional;

/**
 * Agent enrollment and per-node credentials. An agent presents a join token (configured, stored
 * hashed) and its node name and receives a credential {@code tsa_<node>.<secret>}, valid for that
 * node only; only its hash is stored in cluster state. Re-enrolling replaces the credential.
 * Revoking a node cuts it off at once and refuses re-enrollment until an admin readmits it.
 */
public final class AgentCredentials implements Authenticator {
    static final String PREFIX = "tsa_";
    private final ClusterStore store;
    private final List<String> joinTokenHashes;

    public AgentCredentials(ClusterStore store, List<String> joinTokenHashes) {
        this.store = store;
        this.joinTokenHashes = List.copyOf(joinTokenHashes);
    }

    /** Outcome of an enrollment. */
    public sealed interface Enrollment permits Enrolled, Refused {
    }

    public record Enrolled(String node, String credential) implements Enrollment {
    }

    public record Refused(int status, String reason) implements Enrollment {
    }

    public Enrollment enroll(String node, String joinToken) {
        String hash = Tokens.sha256(joinToken == null ? "" : joinToken);
        if (joinTokenHashes.stream().noneMatch(h -> Tokens.same(h, hash))) {
            return new Refused(401, "the join token is not valid");
        }
        if (store.credential(node).map(ClusterStore.AgentCredential::revoked).orElse(false)) {
            return new Refused(403, "node " + node + " was revoked by an admin; an admin must readmit it");
        }
        String credential = PREFIX + node + "." + Tokens.generate("").substring(0, 43);
        store.putCredential(new ClusterStore.AgentCredential(node, Tokens.sha256(credential), false));
        return new Enrolled(node, credential);
    }

    /** Cuts the node off; false if it never enrolled. */
    public boolean revoke(String node) {
        boolean existed = store.credential(node).isPresent();
        store.putCredential(new ClusterStore.AgentCredential(node, null, true));
        return existed;
    }

    /** Lets a revoked node enroll again; a node that is not revoked keeps its credential. */
    public void readmit(String node) {
        if (store.credential(node).map(ClusterStore.AgentCredential::revoked).orElse(false)) {
            store.putCredential(new ClusterStore.AgentCredential(node, null, false));
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
        return store.credential(node).filter(c -> !c.revoked() && Tokens.same(c.sha256(), Tokens.sha256(token)))
                .map(c -> new Principal(node, Role.AGENT));
    }
}
