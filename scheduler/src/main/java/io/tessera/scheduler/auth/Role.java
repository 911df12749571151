package io.tessera.scheduler.auth;

/** What a caller may do. */
public enum Role {
    /** Submits jobs; sees and cancels its own; sees nodes. */
    USER,
    /** Everything, including draining nodes and revoking agents. */
    ADMIN,
    /** Only the agent endpoints, and only for its own node. */
    AGENT
}
