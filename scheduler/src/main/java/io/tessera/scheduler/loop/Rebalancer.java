package io.tessera.scheduler.loop;

import io.tessera.config.ElasticConfig;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.ShardPlan;
import io.tessera.scheduler.policy.RebalancePolicy;
import io.tessera.scheduler.state.Change;
import io.tessera.scheduler.state.ClusterReads;
import io.tessera.scheduler.state.ClusterView;
import io.tessera.scheduler.state.PlanApplier;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.ArrayList;
import java.util.Optional;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes the throughput loop for running gangs: at most every {@code elastic.growCheckIntervalMs}
 * per job, it hands the current attempt's measurements to {@code observer} (which learns the job
 * class's efficiency) and asks {@link RebalancePolicy} whether the measured compute times spread
 * past {@code elastic.rebalanceTolerance}; if so, the batch is re-split by measured speed through
 * a fenced {@link Change.Resplit}: a REBALANCED event, the same attempt, no restart spent. The workers
 * switch at their next checkpoint, and the next decision waits for measurements under the new split.
 */
public final class Rebalancer {
    private static final Logger LOG = LoggerFactory.getLogger(Rebalancer.class);
    private final ClusterReads store;
    private final ClusterView view;
    private final double memoryHeadroom;
    private final Clock clock;
    private final ElasticConfig config;
    /** When each running job was last checked ({@link CycleMemory#rebalanceCheckedAt}). */
    private final Map<String, Long> checkedAt;
    private Learner observer = (job, reports) -> Optional.empty();

    /** Learns from a running attempt's measurements; proposes a profile to write when what it learned moved. */
    @FunctionalInterface
    public interface Learner {
        Optional<Change.LearnProfile> observe(JobRecord job, Map<Integer, ShardReport> reports);
    }

    /** @param memory what the loop carries from pass to pass */
    public Rebalancer(ClusterReads store, ClusterView view, double memoryHeadroom, Clock clock,
                      ElasticConfig config, CycleMemory memory) {
        this.checkedAt = memory.rebalanceCheckedAt;
        this.store = store;
        this.view = view;
        this.memoryHeadroom = memoryHeadroom;
        this.clock = clock;
        this.config = config;
    }

    /** Also gives every checked job's current measurements to {@code learner}. */
    public Rebalancer withObserver(Learner learner) {
        this.observer = learner;
        return this;
    }

    /** {@link #rebalance} on the view as it is now: one stage alone (tests). */
    public StageDecision rebalanceWhereMeasured() {
        return rebalance(CycleState.of(view));
    }

    /** One pass over the running jobs of {@code s}: the profiles to learn and the re-splits, for the loop to commit. */
    public StageDecision rebalance(CycleState s) {
        List<JobRecord> running = s.jobs().stream().filter(j -> j.state() == JobState.RUNNING && !j.cancelRequested()
                && j.placement() != null).toList();
        Set<String> ids = running.stream().map(JobRecord::id).collect(Collectors.toSet());
        checkedAt.keySet().retainAll(ids);
        long now = clock.millis();
        List<Change> changes = new ArrayList<>();
        for (JobRecord job : running) {
            if (now - checkedAt.getOrDefault(job.id(), Long.MIN_VALUE / 2) >= config.growCheckIntervalMs()) {
                checkedAt.put(job.id(), now);
                consider(s, job, changes);
            }
        }
        return StageDecision.of(changes, outcomes -> {
            for (int i = 0; i < changes.size(); i++) {
                if (changes.get(i) instanceof Change.Resplit r) {
                    if (outcomes.get(i) instanceof PlanApplier.Conflict c) {
                        LOG.info("job {} was not rebalanced: {}", r.jobId(), c.reason());
                    } else {
                        LOG.info("job {} rebalanced: {}", r.jobId(), r.why());
                    }
                }
            }
        });
    }

    /** Adds what {@code job}'s measurements call for to {@code changes}: a profile to learn, a re-split. */
    private void consider(CycleState s, JobRecord job, List<Change> changes) {
        Map<Integer, ShardReport> reports = new TreeMap<>();
        store.shardReports(job.id(), job.placement().shards().size()).forEach((shard, r) -> {
            if (r != null && r.attempt() == job.attempt()) {
                reports.put(shard, r);
            }
        });
        observer.observe(job, reports).ifPresent(changes::add);
        if (config.rebalanceTolerance() <= 0) {
            return;
        }
        RebalancePolicy.decide(job.spec(), job.placement(), reports, config.rebalanceTolerance(), s.catalog(),
                memoryHeadroom).ifPresent(r -> changes.add(new Change.Resplit(job.id(), job.attempt(), r.plan(),
                describe(job.placement(), r, job.attempt()))));
    }

    /** The event's text: the spread measured, the rates per chip type, the new split and what it predicts. */
    static String describe(Plan before, RebalancePolicy.Rebalance r, int attempt) {
        Map<String, String> rates = new TreeMap<>();
        for (ShardPlan old : before.shards()) {
            ShardPlan now = r.plan().shards().get(old.shard());
            rates.putIfAbsent(old.chipType(), String.format(Locale.ROOT, "%.1f measured against %.1f predicted",
                    now.samplesPerSec(), old.samplesPerSec()));
        }
        return String.format(Locale.ROOT, "measured compute times per step spread %.1f%% (tolerance exceeded); "
                        + "samples/s per shard: %s; batch re-split from %s to %s samples per shard, predicting a %.1f%% "
                        + "spread and %.1f samples/s against %.1f; split %d of attempt %d, adopted at the next "
                        + "checkpoint (no restart)", 100 * r.spreadBefore(), rates, parts(before), parts(r.plan()),
                100 * r.spreadAfter(), r.plan().predictedSamplesPerSec(), r.measuredBefore(), r.plan().splitVersion(),
                attempt);
    }

    private static String parts(Plan plan) {
        return plan.shards().stream().map(s -> Long.toString(s.samplesPerStep())).collect(Collectors.joining("/"));
    }
}
