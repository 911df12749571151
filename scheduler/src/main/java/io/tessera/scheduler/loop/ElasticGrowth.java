package io.tessera.scheduler.loop;

import io.tessera.scheduler.model.EventType;

import io.tessera.config.ElasticConfig;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.placement.PlacementPolicy;
import io.tessera.scheduler.placement.ShardPlan;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.Placer;
import io.tessera.scheduler.state.Change;
import io.tessera.scheduler.state.ClusterReads;
import io.tessera.scheduler.state.ClusterView;
import io.tessera.scheduler.state.PlanApplier;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves running jobs to better plans on capacity that freed (a vendor's nodes came back, another
 * job finished): elastic jobs grow back onto more shards, and jobs of any kind migrate to faster
 * chips. For each running job, at most once per check interval, it plans the job as if its own
 * devices were free; when that plan predicts at least {@code growMinGain} (elastic jobs) or
 * {@code migrateMinGain} (the others, which keep their shard count) more throughput, the job is
 * <em>armed</em>. The gang is moved to the new plan at the job's next
 * checkpoint boundary: the first pass that sees a checkpoint step newer than the one seen when
 * arming re-plans and, if still worth it, swaps plans through {@link PlanApplier#regrow}. Queued jobs
 * come first: a job does not grow while a queued job of equal or higher priority waits.
 * Arming is leader-local memory; a new leader simply arms again.
 */
public final class ElasticGrowth {
    private static final Logger LOG = LoggerFactory.getLogger(ElasticGrowth.class);
    private final ClusterReads store;
    private final ClusterView view;
    private final Placer placer;
    private final PlacementPolicy policy;
    private final Clock clock;
    private final ElasticConfig config;
    /** The loop's memory: armed jobs, when each was checked, the reservations in force. */
    private final CycleMemory memory;
    private final Map<String, Armed> armed;
    private final Map<String, Long> checkedAt;

    /** Armed at {@code attempt} when the latest checkpoint was {@code checkpoint} (-1: none yet). */
    record Armed(int attempt, long checkpoint) {
    }

    /** @param memory what the loop carries from pass to pass (growth plans around its reservations in force) */
    public ElasticGrowth(ClusterReads store, ClusterView view, Placer placer, PlacementPolicy policy,
                         Clock clock, ElasticConfig config, CycleMemory memory) {
        this.memory = memory;
        this.armed = memory.armed;
        this.checkedAt = memory.growthCheckedAt;
        this.view = view;
        this.store = store;
        this.placer = placer;
        this.policy = policy;
        this.clock = clock;
        this.config = config;
    }

    /** {@link #grow} on the view as it is now: one stage alone (tests). */
    public StageDecision growWhereWorthIt() {
        return grow(CycleState.of(view));
    }

    /** One pass over the running elastic jobs of {@code s}: the gangs to move at their checkpoint, for the loop to commit. */
    public StageDecision grow(CycleState s) {
        if (!config.enabled()) {
            return StageDecision.NONE;
        }
        List<JobRecord> jobs = s.jobs();
        List<JobRecord> queued = s.queued();
        int queuedPriority = queued.isEmpty() ? Integer.MIN_VALUE : queued.get(0).spec().priority();
        Set<String> candidates = jobs.stream().filter(j -> j.state() == JobState.RUNNING && !j.cancelRequested()
                        && minGain(j) > 0 && j.placement() != null && j.spec().priority() > queuedPriority)
                .map(JobRecord::id).collect(Collectors.toSet());
        armed.keySet().retainAll(candidates);
        checkedAt.keySet().retainAll(candidates);
        List<Change.Regrow> moves = new ArrayList<>();
        for (JobRecord job : jobs) {
            if (candidates.contains(job.id())) {
                consider(s, job, moves);
            }
        }
        return StageDecision.of(moves, outcomes -> {
            for (int i = 0; i < moves.size(); i++) {
                if (outcomes.get(i) instanceof PlanApplier.Conflict c) {
                    LOG.info("job {} did not grow: {}", moves.get(i).jobId(), c.reason());
                } else {
                    LOG.info("job {} grew: {}", moves.get(i).jobId(), moves.get(i).why());
                }
            }
        });
    }

    private void consider(CycleState s, JobRecord job, List<Change.Regrow> moves) {
        Armed a = armed.get(job.id());
        if (a != null && a.attempt() == job.attempt()) {
            long checkpoint = latestCheckpoint(job);
            if (checkpoint > a.checkpoint()) { // the next checkpoint boundary
                armed.remove(job.id());
                better(s, job).ifPresent(plan -> moves.add(regrow(job, plan, checkpoint)));
            }
            return;
        }
        long now = clock.millis();
        if (now - checkedAt.getOrDefault(job.id(), Long.MIN_VALUE / 2) < config.growCheckIntervalMs()) {
            return; // not due: no reads at all on this pass
        }
        checkedAt.put(job.id(), now);
        long checkpoint = latestCheckpoint(job);
        if (checkpoint < 0) {
            return; // no checkpoint seen yet, so no boundary to grow at
        }
        better(s, job).ifPresent(plan -> {
            armed.put(job.id(), new Armed(job.attempt(), checkpoint));
            LOG.info("job {} can grow to {} shards ({} samples/s predicted against {}); waiting for its next checkpoint",
                    job.id(), plan.shards().size(), round(plan.predictedSamplesPerSec()),
                    round(job.placement().predictedSamplesPerSec()));
        });
    }

    /** The gain that makes moving {@code job} worth a gang restart; 0 when it is never moved. */
    private double minGain(JobRecord job) {
        return job.spec().shards().elastic() ? config.growMinGain() : config.migrateMinGain();
    }

    /** A plan on free capacity plus the job's own devices that beats the current one by the configured gain. */
    private Optional<Plan> better(CycleState s, JobRecord job) {
        Optional<Plan> result = KeptReservations.plan(placer, s.snapshotWithout(job), job, policy, memory.inForce,
                clock.millis());
        double now = job.placement().predictedSamplesPerSec();
        return result.filter(p -> p.predictedSamplesPerSec() >= now * (1 + minGain(job)) && !sameGang(p, job.placement()));
    }

    /**
     * Whether {@code candidate} holds as many shards of each chip type as {@code current}: then it
     * can gain nothing real, only what differs between the current plan's figures (re-split by
     * measured speed) and a fresh estimate. Regression: a rebalanced gang was "migrated" onto the
     * same chips because its measured rate was compared with the catalog's.
     */
    static boolean sameGang(Plan candidate, Plan current) {
        return chipCounts(candidate).equals(chipCounts(current));
    }

    private static Map<String, Long> chipCounts(Plan plan) {
        return plan.shards().stream().collect(Collectors.groupingBy(ShardPlan::chipType, Collectors.counting()));
    }

    private Change.Regrow regrow(JobRecord job, Plan plan, long checkpoint) {
        double before = job.placement().predictedSamplesPerSec();
        boolean grows = job.spec().shards().elastic();
        String why = String.format(Locale.ROOT, "%s: %d shards%s predict %.1f samples/s against %.1f on "
                        + "%d now (+%.0f%%); moving the gang at its checkpoint at step %d (not counted against restartLimit)",
                grows ? "capacity returned" : "faster chips are free", plan.shards().size(),
                grows ? "" : " on " + chips(plan), plan.predictedSamplesPerSec(), before, job.placement().shards().size(),
                100 * (plan.predictedSamplesPerSec() / before - 1), checkpoint);
        return new Change.Regrow(job.id(), job.attempt(), plan, grows ? EventType.GROWING : EventType.MIGRATING, why);
    }

    /** The newest checkpoint step the current attempt's shards reported, or -1. */
    private long latestCheckpoint(JobRecord job) {
        Map<Integer, ShardReport> reports = store.shardReports(job.id(), job.placement().shards().size());
        return reports.values().stream().filter(r -> r.attempt() == job.attempt() && r.checkpointStep() != null)
                .mapToLong(ShardReport::checkpointStep).max().orElse(-1);
    }

    private static String chips(Plan plan) {
        return plan.shards().stream().map(ShardPlan::chipType).distinct().sorted().collect(Collectors.joining("+"));
    }

    private static String round(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
