package io.tessera.scheduler.sim;

import java.util.List;

/**
 * What happens in a simulation at a virtual instant. Events of the fleet (arrivals, outages,
 * injected faults) come from the workload; events of the simulated agents (a gang's workers
 * started, finished or stopped) are scheduled as the scheduler's decisions are seen. An event for
 * an attempt that is no longer current is ignored when it fires.
 */
public sealed interface SimEvent {
    /** A job is submitted. */
    record Arrival(SimJob job) implements SimEvent {
    }

    /** Every worker of the attempt has started and reports RUNNING. */
    record Started(String jobId, int attempt) implements SimEvent {
    }

    /** Every worker of the attempt has trained its last step and exits 0. */
    record Finished(String jobId, int attempt) implements SimEvent {
    }

    /** The attempt's workers, told to stop, have checkpointed and exited. */
    record Stopped(String jobId, int attempt) implements SimEvent {
    }

    /** An injected worker failure: one shard of the job's current attempt exits with code 1. */
    record ShardFault(String jobId, int shard) implements SimEvent {
    }

    /** The workers restarted in place at {@code generation} run again, and the gang trains on. */
    record Rejoined(String jobId, int attempt, int generation) implements SimEvent {
    }

    /** An injected preemption of the job's current attempt, through the scheduler's own path. */
    record Preempt(String jobId) implements SimEvent {
    }

    /**
     * Nodes stop heartbeating (down) or come back and register again (up). A declared outage names
     * {@code what} went down and for how long ({@code forMs}), so its throughput is reported; a node
     * failure drawn by the failure model has neither (null, -1).
     */
    record Outage(List<String> nodes, boolean down, String what, long forMs) implements SimEvent {
        public Outage(List<String> nodes, boolean down) {
            this(nodes, down, null, -1);
        }
    }

    /** A worker on device {@code device} of {@code node} crashes (a transient fault); nothing happens if none runs there. */
    record DeviceFault(String node, int device) implements SimEvent {
    }

    /** Nothing changes; the scheduler runs a pass, as its interval timer would. */
    /** A restarted job's backoff ends: a pass follows, so it is placed then. */
    record Wake() implements SimEvent {
    }

    record Tick() implements SimEvent {
    }
}
