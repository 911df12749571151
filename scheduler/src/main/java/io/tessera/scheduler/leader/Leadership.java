package io.tessera.scheduler.leader;

/** Tells a member whether it should run the scheduling loop now. Exactly one member answers true. */
@FunctionalInterface
public interface Leadership {
    boolean isLeader();
}
