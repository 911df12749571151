package io.tessera.scheduler.state;

import io.tessera.config.QueueSpec;
import io.tessera.config.wire.AssignmentSet;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.ThroughputProfile;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The read half of the cluster state: what the scheduling loop's stages may see. They hold this
 * port, not {@link ClusterStore}, so none of them can write: every leader write is a typed
 * {@link Change} committed by {@link PlanApplier} under the leader's term. All methods block and
 * are thread-safe.
 */
public interface ClusterReads {
    Optional<JobRecord> job(String id);

    Collection<JobRecord> jobs();

    Optional<NodeRecord> node(String name);

    Collection<NodeRecord> nodes();

    /** When each node was last heard from (epoch millis), by name: small values, for liveness and metrics. */
    Map<String, Long> heardTimes();

    /** How many nodes are registered, in any state; cheap. */
    int nodeCount();

    AssignmentSet assignments(String node);

    Map<String, AssignmentSet> allAssignments();

    /** The latest reports of a job's shards, by shard index. */
    Map<Integer, ShardReport> shardReports(String jobId, int shards);

    /**
     * The latest reports of several jobs' shards at once ({@code shardsByJob}: each job's shard
     * count), by job and shard index; every job asked for is in the answer. One round trip where
     * the store is remote, rather than one per job.
     */
    default Map<String, Map<Integer, ShardReport>> shardReports(Map<String, Integer> shardsByJob) {
        Map<String, Map<Integer, ShardReport>> out = new HashMap<>();
        shardsByJob.forEach((job, shards) -> out.put(job, shards == 0 ? Map.of() : shardReports(job, shards)));
        return out;
    }

    /** The queues admins defined, by name (the implicit default queue is not stored). */
    Map<String, QueueSpec> queues();

    Optional<QueueSpec> queue(String name);

    /** A queued job's predicted start, if it holds a reservation. */
    Optional<String> estimatedStart(String jobId);

    /** The learned throughput profile of a job class, if there is one. */
    Optional<ThroughputProfile> profile(String key);
}
