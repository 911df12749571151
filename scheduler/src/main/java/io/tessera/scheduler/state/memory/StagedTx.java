package io.tessera.scheduler.state.memory;

import io.tessera.config.wire.AssignmentSet;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.ThroughputProfile;
import io.tessera.scheduler.state.ClusterStore.Tx;
import io.tessera.scheduler.state.LeaderClaims.LeaderClaim;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One transaction of the {@link InMemoryClusterStore}: reads see its own writes over the store's
 * state, and {@link #commit} makes every staged write visible at once, under the store's monitor.
 * Owned by the thread running the transaction.
 */
final class StagedTx implements Tx {
    private final InMemoryClusterStore store;
    final Map<String, JobRecord> jobs = new LinkedHashMap<>();
    final Set<String> deletedJobs = new LinkedHashSet<>();
    final Map<String, NodeRecord> nodes = new LinkedHashMap<>();
    final Map<String, AssignmentSet> assignments = new LinkedHashMap<>();
    final Map<String, Integer> clearedReports = new LinkedHashMap<>();
    final Map<String, ThroughputProfile> profilePuts = new LinkedHashMap<>();
    Map<String, String> nextEstimates;

    StagedTx(InMemoryClusterStore store) {
        this.store = store;
    }

    @Override
    public Optional<JobRecord> jobForUpdate(String id) {
        if (deletedJobs.contains(id)) {
            return Optional.empty();
        }
        return Optional.ofNullable(jobs.containsKey(id) ? jobs.get(id) : store.jobs.get(id));
    }

    @Override
    public void putJob(JobRecord job) {
        deletedJobs.remove(job.id());
        jobs.put(job.id(), job);
    }

    @Override
    public Optional<NodeRecord> nodeForUpdate(String name) {
        return nodes.containsKey(name) ? Optional.of(nodes.get(name)) : store.node(name);
    }

    @Override
    public AssignmentSet assignmentsForUpdate(String node) {
        return assignments.containsKey(node) ? assignments.get(node) : store.assignments(node);
    }

    @Override
    public void putAssignments(AssignmentSet set) {
        assignments.put(set.node(), set);
    }

    @Override
    public Optional<LeaderClaim> leaderForUpdate() {
        return Optional.ofNullable(store.leader);
    }

    @Override
    public void putNode(NodeRecord node) {
        nodes.put(node.name(), node);
    }

    @Override
    public void deleteJob(String id) {
        jobs.remove(id);
        deletedJobs.add(id);
    }

    @Override
    public void clearShardReports(String jobId, int shards) {
        clearedReports.merge(jobId, shards, Math::max);
    }

    @Override
    public void putEstimatedStarts(Map<String, String> estimates) {
        nextEstimates = Map.copyOf(estimates);
    }

    @Override
    public void putProfile(ThroughputProfile profile) {
        profilePuts.put(profile.key(), profile);
    }

    /** Makes the staged writes visible; under the store's monitor. */
    void commit() {
        store.jobs.putAll(jobs);
        deletedJobs.forEach(store.jobs::remove);
        store.nodes.putAll(nodes);
        store.assignments.putAll(assignments);
        clearedReports.forEach((id, shards) -> {
            for (int i = 0; i < shards; i++) {
                store.reports.remove(id + "/" + i);
            }
        });
        profilePuts.values().forEach(store.profiles()::put);
        if (nextEstimates != null) {
            store.estimates = nextEstimates;
        }
    }
}
