package io.tessera.scheduler.loop;

/** Tells a member whether it should run the scheduling loop now. Exactly one member answers true. */
@FunctionalInterface
public interface Leadership {
    boolean isLeader();
}
