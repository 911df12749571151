package io.tessera.scheduler.loop;

import io.tessera.scheduler.loop.JobLifecycle.Action;
import io.tessera.scheduler.loop.JobLifecycle.Observation;
import io.tessera.scheduler.loop.JobLifecycle.Transition;
import io.tessera.config.QueueSpec;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.policy.QueueUsage;
import io.tessera.scheduler.state.ClusterStore;
import io.tessera.scheduler.state.ClusterView;
import io.tessera.scheduler.state.PlanApplier;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds each unfinished job's observations to {@link JobLifecycle} and performs the actions it
 * returns. Only jobs whose record or shard reports changed are looked at (and all of them when a
 * node was lost or came back): the lifecycle depends on nothing else, so an idle fleet costs nothing.
 * The state change is stored with compare-and-set against the record the decision was made on,
 * so a concurrent cancel or heartbeat is never overwritten; a lost race is retried next pass.
 */
public final class JobReconciler {
    private static final Logger LOG = LoggerFactory.getLogger(JobReconciler.class);
    private final ClusterStore store;
    private final ClusterView view;
    private final PlanApplier applier;
    private final Clock clock;

    public JobReconciler(ClusterStore store, ClusterView view, PlanApplier applier, Clock clock) {
        this.view = view;
        this.store = store;
        this.applier = applier;
        this.clock = clock;
    }

    /** Advances every job whose inputs changed since the last call. */
    public void reconcileChanged() {
        Set<String> lost = view.lostNodes();
        Map<String, QueueSpec> queues = null;
        for (JobRecord job : view.takeJobsToReconcile()) {
            if (queues == null) {
                queues = store.queues();
            }
            reconcile(job, lost, QueueUsage.spec(queues, job.spec().queue()).preemptionGraceMs());
        }
    }

    private void reconcile(JobRecord job, Set<String> lost, long stopGraceMs) {
        int shards = job.placement() == null ? 0 : job.placement().shards().size();
        Map<Integer, io.tessera.config.wire.ShardReport> reports = shards == 0 ? Map.of()
                : store.shardReports(job.id(), shards);
        Transition t = JobLifecycle.next(job, new Observation(reports, lost, clock.instant().toString(), stopGraceMs));
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
