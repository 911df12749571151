package io.tessera.scheduler.state.memory;

import io.tessera.scheduler.security.Tokens;
import io.tessera.scheduler.state.CredentialStore;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Agents' credentials and issued join tokens in memory: the {@link CredentialStore} of the
 * in-memory store (tests and the simulator). Each operation holds this store's lock, so spending a
 * join token's use is atomic. Thread-safe.
 */
final class InMemoryCredentialStore implements CredentialStore {
    private final Map<String, AgentCredential> credentials = new HashMap<>();
    private final Map<String, JoinToken> joinTokens = new HashMap<>();

    @Override
    public synchronized Optional<AgentCredential> credential(String node) {
        return Optional.ofNullable(credentials.get(node));
    }

    @Override
    public synchronized void putCredential(AgentCredential credential) {
        credentials.put(credential.node(), credential);
    }

    @Override
    public synchronized boolean replaceCredential(AgentCredential expected, AgentCredential next) {
        AgentCredential stored = credentials.get(next.node());
        if (expected == null ? stored != null : !expected.equals(stored)) {
            return false;
        }
        credentials.put(next.node(), next);
        return true;
    }

    @Override
    public synchronized boolean putJoinTokenIfAbsent(JoinToken token) {
        return joinTokens.putIfAbsent(token.id(), token) == null;
    }

    @Override
    public synchronized void putJoinToken(JoinToken token) {
        joinTokens.put(token.id(), token);
    }

    @Override
    public synchronized boolean useJoinToken(String sha256, String node, long nowMs) {
        JoinToken t = joinTokens.get(sha256.substring(0, 16));
        if (t == null || !Tokens.same(t.sha256(), sha256) || t.usesLeft() <= 0 || nowMs > t.expiresAtMs()
                || (t.node() != null && !t.node().equals(node))) {
            return false;
        }
        joinTokens.put(t.id(), new JoinToken(t.id(), t.sha256(), t.node(), t.usesLeft() - 1, t.expiresAtMs()));
        return true;
    }

    @Override
    public synchronized boolean deleteJoinToken(String id) {
        return joinTokens.remove(id) != null;
    }
}
