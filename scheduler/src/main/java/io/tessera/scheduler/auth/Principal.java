package io.tessera.scheduler.auth;

/**
 * An authenticated caller.
 *
 * @param subject the user name, or the node name for an agent
 * @param role    what it may do
 */
public record Principal(String subject, Role role) {
    public boolean isAdmin() {
        return role == Role.ADMIN;
    }

    /** Whether this is the agent of {@code node}. */
    public boolean isAgentOf(String node) {
        return role == Role.AGENT && subject.equals(node);
    }
}
