package io.tessera.scheduler.auth;

import java.util.Set;

/**
 * An authenticated caller.
 *
 * @param subject the user name, or the node name for an agent
 * @param role    what it may do
 * @param groups  the groups it belongs to (a JWT's {@code groups} claim, a token file entry's {@code groups})
 */
public record Principal(String subject, Role role, Set<String> groups) {
    public Principal {
        groups = groups == null ? Set.of() : Set.copyOf(groups);
    }

    /** A caller in no groups. */
    public Principal(String subject, Role role) {
        this(subject, role, Set.of());
    }

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }

    /** Whether this is the agent of {@code node}. */
    public boolean isAgentOf(String node) {
        return role == Role.AGENT && subject.equals(node);
    }
}
