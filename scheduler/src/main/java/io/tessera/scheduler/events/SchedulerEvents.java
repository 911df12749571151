package io.tessera.scheduler.events;

import java.util.List;

/** What the scheduling loop and the agent API report as they work; implemented by the metrics. */
public interface SchedulerEvents {
    /** A placement decision: how long {@code place} took, its outcome, and the veto reasons it gave. */
    void placement(long nanos, String outcome, List<String> vetoReasons);

    /** A job was committed after waiting this long since submission. */
    void queueWait(double seconds);

    /** A job of {@code queue} was committed after waiting this long since submission. */
    default void queueWait(String queue, double seconds) {
        queueWait(seconds);
    }

    /** A heartbeat arrived. */
    void heartbeat();

    /** A node was declared lost. */
    void nodeLost();

    /** A job of {@code queue} was chosen to be preempted. */
    default void preempted(String queue) {
    }

    /**
     * The leader's applier committed, or refused, one change.
     *
     * @param kind    the change's kind, lower case ({@code place}, {@code evict}, {@code node_lost}, ...)
     * @param outcome {@code applied}, {@code conflict} (live state no longer matched) or {@code fenced}
     *                (this member's term is over)
     */
    default void leaderChange(String kind, String outcome) {
    }

    /**
     * An admission gate of the queue pass held a job this pass.
     *
     * @param gate the gate's name ({@code backoff}, {@code quota_headroom}, {@code fit}, {@code reservation}, {@code quota})
     * @param kind the wait it answered, lower case ({@code WaitKind})
     */
    default void admissionWait(String gate, String kind) {
    }

    /** Records nothing. */
    SchedulerEvents NONE = new SchedulerEvents() {
        @Override
        public void placement(long nanos, String outcome, List<String> vetoReasons) {
        }

        @Override
        public void queueWait(double seconds) {
        }

        @Override
        public void heartbeat() {
        }

        @Override
        public void nodeLost() {
        }
    };
}
