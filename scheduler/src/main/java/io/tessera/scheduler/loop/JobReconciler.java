package io.tessera.scheduler.loop;

import io.tessera.scheduler.loop.JobLifecycle.Action;
import io.tessera.scheduler.loop.JobLifecycle.Observation;
import io.tessera.scheduler.loop.JobLifecycle.Transition;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.NodeState;
import io.tessera.scheduler.state.ClusterStore;
import io.tessera.scheduler.state.PlanApplier;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds each unfinished job's observations to {@link JobLifecycle} and performs the actions it returns.
 * The state change is stored with compare-and-set against the record the decision was made on,
 * so a concurrent cancel or heartbeat is never overwritten; a lost race is retried next pass.
 */
public final class JobReconciler {
    private static final Logger LOG = LoggerFactory.getLogger(JobReconciler.class);
    private final ClusterStore store;
    private final PlanApplier applier;
    private final Clock clock;

    public JobReconciler(ClusterStore store, PlanApplier applier, Clock clock) {
        this.store = store;
        this.applier = applier;
        this.clock = clock;
    }

    public void reconcileAll() {
        Set<String> lost = store.nodes().stream().filter(n -> n.state() == NodeState.LOST)
                .map(NodeRecord::name).collect(Collectors.toSet());
        for (JobRecord job : store.jobs()) {
            if (!job.state().terminal()) {
                reconcile(job, lost);
            }
        }
    }

    private void reconcile(JobRecord job, Set<String> lost) {
        int shards = job.placement() == null ? 0 : job.placement().shards().size();
        Map<Integer, io.tessera.config.wire.ShardReport> reports = shards == 0 ? Map.of()
                : store.shardReports(job.id(), shards);
        Transition t = JobLifecycle.next(job, new Observation(reports, lost, clock.instant().toString()));
        if (!t.changed(job)) {
            return;
        }
        boolean[] stored = {false};
        store.updateJob(job.id(), cur -> {
            if (!cur.equals(job)) {
                return cur; // changed under us; decide again next pass
            }
            stored[0] = true;
            return t.job();
        });
        if (!stored[0]) {
            return;
        }
        LOG.info("job {} {} -> {}", job.id(), job.state(), t.job().state());
        if (t.actions().contains(Action.RELEASE_DEVICES)) {
            applier.release(job);
        }
        if (t.actions().contains(Action.CLEAR_SHARD_REPORTS)) {
            store.clearShardReports(job.id(), shards);
        }
    }
}
