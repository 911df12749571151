package io.tessera.scheduler.state;

import io.tessera.config.wire.AssignmentSet;
import io.tessera.config.wire.ShardReport;
import java.util.Collection;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What each node's agent is told to run (its assignment set, written only by the fenced
 * {@link PlanApplier}) and what the shards report back. Blocking, thread-safe.
 */
public interface AssignmentStore {
    AssignmentSet assignments(String node);

    Map<String, AssignmentSet> allAssignments();

    /** Calls {@code listener} with the node name whenever a node's assignment set changes, on any member. */
    void onAssignmentsChanged(Consumer<String> listener);

    /** The latest reports of a job's shards, by shard index. */
    Map<Integer, ShardReport> shardReports(String jobId, int shards);

    /** Stores reports, keeping for each shard the one of the newest attempt. */
    void recordShardReports(Collection<ShardReport> reports);

    /** Forgets a job's shard reports (before a new attempt). */
    void clearShardReports(String jobId, int shards);
}
