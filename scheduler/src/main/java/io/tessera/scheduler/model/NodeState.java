package io.tessera.scheduler.model;

/** A node's standing with the scheduler. */
public enum NodeState {
    /** Heartbeating; its healthy free devices are schedulable. */
    READY,
    /** Missed heartbeats past the timeout; nothing new lands on it and its gangs were restarted. */
    LOST
}
