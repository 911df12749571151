package io.tessera.scheduler.state.hazelcast;

import com.hazelcast.map.IMap;
import io.tessera.scheduler.security.Tokens;
import io.tessera.scheduler.state.Codec;
import io.tessera.scheduler.state.CredentialStore;
import java.util.Optional;

/**
 * {@link CredentialStore} on two Hazelcast maps: agents' credential records by node, and issued
 * join tokens by id. Every read-modify-write is a compare-and-set on one key, so concurrent
 * enrollments and token uses on different members never both win.
 */
final class HazelcastCredentialStore implements CredentialStore {
    private final IMap<String, String> credentials;
    private final IMap<String, String> joinTokens;

    HazelcastCredentialStore(IMap<String, String> credentials, IMap<String, String> joinTokens) {
        this.credentials = credentials;
        this.joinTokens = joinTokens;
    }

    @Override
    public Optional<AgentCredential> credential(String node) {
        return Optional.ofNullable(Codec.decode(credentials.get(node), AgentCredential.class));
    }

    @Override
    public void putCredential(AgentCredential credential) {
        credentials.set(credential.node(), Codec.encode(credential));
    }

    @Override
    public boolean replaceCredential(AgentCredential expected, AgentCredential next) {
        String encoded = Codec.encode(next);
        if (expected == null) {
            return credentials.putIfAbsent(next.node(), encoded) == null;
        }
        String stored = credentials.get(next.node());
        return stored != null && expected.equals(Codec.decode(stored, AgentCredential.class))
                && credentials.replace(next.node(), stored, encoded);
    }

    @Override
    public void putJoinToken(JoinToken token) {
        joinTokens.set(token.id(), Codec.encode(token));
    }

    @Override
    public boolean putJoinTokenIfAbsent(JoinToken token) {
        return joinTokens.putIfAbsent(token.id(), Codec.encode(token)) == null;
    }

    @Override
    public boolean useJoinToken(String sha256, String node, long nowMs) {
        String id = sha256.substring(0, 16);
        boolean[] used = {false};
        HazelcastClusterStore.cas(joinTokens, id, old -> {
            JoinToken t = Codec.decode(old, JoinToken.class);
            if (t == null || !Tokens.same(t.sha256(), sha256) || t.usesLeft() <= 0
                    || nowMs > t.expiresAtMs() || (t.node() != null && !t.node().equals(node))) {
                used[0] = false;
                return old;
            }
            used[0] = true;
            return Codec.encode(new JoinToken(t.id(), t.sha256(), t.node(), t.usesLeft() - 1, t.expiresAtMs()));
        });
        return used[0];
    }

    @Override
    public boolean deleteJoinToken(String id) {
        return joinTokens.remove(id) != null;
    }
}
