package io.tessera.scheduler.loop;

import io.tessera.scheduler.model.EventType;
import io.tessera.config.ChipCatalog;
import io.tessera.config.PreemptionConfig;
import io.tessera.config.QueueSpec;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.events.SchedulerEvents;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.Waiting;
import io.tessera.scheduler.model.WaitKind;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.placement.ClusterSnapshot;
import io.tessera.scheduler.placement.PlacementPolicy;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.Placer;
import io.tessera.scheduler.policy.FairShare;
import io.tessera.scheduler.policy.QueueUsage;
import io.tessera.scheduler.policy.QuotaCharge;
import io.tessera.scheduler.policy.QuotaPolicy;
import io.tessera.scheduler.policy.UsageHistory;
import io.tessera.scheduler.policy.VictimSelector;
import io.tessera.scheduler.policy.VictimCost;
import io.tessera.scheduler.policy.VictimSelector.Candidate;
import io.tessera.scheduler.state.Change;
import io.tessera.scheduler.state.ClusterReads;
import io.tessera.scheduler.state.ClusterView;
import io.tessera.scheduler.state.PlanApplier;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Preemption, after a queue pass. For each queue, the first job still waiting (highest priority,
 * then oldest) may preempt running jobs of its own queue with a lower priority; while its queue
 * holds less than its TFLOPS quota, jobs of other queues in its cohort that are borrowing; and
 * elastic jobs of queues holding more per unit of weight than its own, which come back smaller
 * from their checkpoint (shrinking to make room for a queue below its share).
 * {@link VictimSelector} picks the fewest victims that lose the least accelerator-seconds
 * ({@link VictimCost}), and only if the gang
 * then fits and its queue admits it. Victims become PREEMPTING: their workers get SIGTERM and
 * their queue's grace period to checkpoint ({@link Change.Evict}, fenced by the leader's term), and
 * {@link JobLifecycle} requeues them once stopped. While any job is PREEMPTING no new victims are
 * chosen, so one shortage never evicts twice. The waiting job's claim ({@link PreemptionClaims})
 * makes the queue pass offer it capacity first. A waiting job for which no victims would help is
 * not looked at again until the capacity snapshot changes. A job that asked not to be preempted (within its
 * queue's {@code maxNonPreemptible}) is never a victim.
 */
public final class Preemptor {
    private static final Logger LOG = LoggerFactory.getLogger(Preemptor.class);
    private final ClusterReads store;
    private final ClusterView view;
    private final Placer placer;
    private final PlacementPolicy policy;
    private final Clock clock;
    private final SchedulerEvents events;
    /** What the loop carries: claims, the queue pass's usage history and reservations, fruitless searches. */
    private final CycleMemory memory;
    /** Waiting jobs for which no victims helped, with what the search depended on ({@link CycleMemory#victimSearches}). */
    private final Map<String, Long> searched;
    private final PreemptionClaims claims;
    /** How victims are ranked, and what a restart costs a job that says nothing. */
    private PreemptionConfig config = PreemptionConfig.DEFAULT;

    /** @param memory what the loop carries from pass to pass, shared with the queue pass */
    public Preemptor(ClusterReads store, ClusterView view, Placer placer, PlacementPolicy policy,
                     Clock clock, SchedulerEvents events, CycleMemory memory) {
        this.memory = memory;
        this.searched = memory.victimSearches;
        this.claims = memory.claims;
        this.store = store;
        this.view = view;
        this.placer = placer;
        this.policy = policy;
        this.clock = clock;
        this.events = events;
    }

    /** Ranks victims under {@code value}; returns this. */
    public Preemptor withConfig(PreemptionConfig value) {
        this.config = Objects.requireNonNull(value);
        return this;
    }

    /**
     * The evictions that make the first queue head they can help fit (the loop refreshed the view
     * after the queue pass: a job it placed is no longer waiting for victims), for the loop to commit.
     */
    public StageDecision preempt() {
        return preempt(CycleState.of(view));
    }

    /** {@link #preempt()} for the queue heads of {@code s}, on its capacity. */
    public StageDecision preempt(CycleState s) {
        List<JobRecord> jobs = s.jobs();
        Map<String, QueueSpec> queues = store.queues();
        if (wakeOverdue(jobs, queues)) {
            return StageDecision.NONE; // earlier victims are still stopping
        }
        Set<String> heads = new HashSet<>();
        Set<String> queuedIds = new HashSet<>();
        s.queued().forEach(j -> queuedIds.add(j.id()));
        searched.keySet().retainAll(queuedIds);
        for (JobRecord waiting : s.queued()) {
            if (heads.add(waiting.spec().queue())) {
                Optional<StageDecision> d = preemptFor(s, waiting, jobs, queues);
                if (d.isPresent()) {
                    return d.get();
                }
            }
        }
        return StageDecision.NONE;
    }

    /** Marks PREEMPTING jobs past their grace for re-reading, so the lifecycle requeues them; true if any is PREEMPTING. */
    private boolean wakeOverdue(List<JobRecord> jobs, Map<String, QueueSpec> queues) {
        boolean any = false;
        long now = clock.millis();
        for (JobRecord j : jobs) {
            if (j.state() == JobState.PREEMPTING) {
                any = true;
                if (JobLifecycle.preemptedAtMs(j) + QueueUsage.spec(queues, j.spec().queue()).preemptionGraceMs() <= now) {
                    view.invalidate(List.of(), List.of(j.id()));
                }
            }
        }
        return any;
    }

    private Optional<StageDecision> preemptFor(CycleState s, JobRecord waiting, List<JobRecord> jobs, Map<String, QueueSpec> queues) {
        if (waiting.waiting() != null && waiting.waiting().kind() == WaitKind.NEVER_FITS) {
            return Optional.empty(); // it does not fit even the idle fleet (static vetoes): no victims can make room
        }
        QueueSpec queue = QueueUsage.spec(queues, waiting.spec().queue());
        if (jobs.stream().noneMatch(j -> mightYield(j, waiting))) {
            return Optional.empty(); // nobody runs whom this job could ever preempt: no usage to add up
        }
        QueueUsage usage = QueueUsage.of(jobs, s.catalog());
        Set<String> forShare = new HashSet<>();
        List<JobRecord> eligible = eligible(waiting, queue, jobs, queues, usage, s.catalog(), forShare);
        if (eligible.isEmpty() || fits(s, waiting, queue, queues, usage, List.of(), forShare)) {
            return Optional.empty(); // nothing to preempt, or it fits as things are (the next pass places it)
        }
        // What the victim search depends on, as far as the fleet's state tells: the capacity, which jobs may be
        // victims and for what, the queues. (It depends on the clock too, which no key captures; searching every
        // pass instead made a member that took over under load too slow to answer: ClusterFailoverTest.)
        long waitsOn = Objects.hash(s.snapshot().fingerprint(), queues, forShare,
                eligible.stream().map(j -> j.id() + "@" + j.attempt()).toList());
        if (Long.valueOf(waitsOn).equals(searched.get(waiting.id()))) {
            return Optional.empty(); // no victims helped on exactly this before
        }
        VictimCost.Restart restart = new VictimCost.Restart(config.restartCostSec(), config.maxRestartCostSec());
        long nowMs = clock.millis();
        List<Candidate> candidates = eligible.stream().map(j -> VictimCost.of(j,
                store.shardReports(j.id(), j.placement().shards().size()), restart, JobLifecycle.placedAtMs(j), nowMs))
                .toList();
        Optional<List<JobRecord>> victims = VictimSelector.select(candidates, config.order(), gone -> fits(s, waiting,
                queue, queues, usage, gone, forShare));
        if (victims.isEmpty()) {
            searched.put(waiting.id(), waitsOn);
            return Optional.empty();
        }
        StageDecision evictions = StageDecision.NONE;
        for (JobRecord v : victims.get()) {
            long grace = QueueUsage.spec(queues, v.spec().queue()).preemptionGraceMs();
            evictions = evictions.and(evict(v, why(v, waiting, grace), grace));
        }
        List<String> ids = victims.get().stream().map(JobRecord::id).toList();
        String at = now();
        Change.Note note = new Change.Note(waiting.id(), cur -> cur.state() != JobState.QUEUED ? cur
                : cur.withWaiting(new Waiting(WaitKind.PREEMPTING, "preempting " + ids)).withEvent(new JobEvent(at,
                EventType.WAITING, "preempting " + ids + " to make room; it is placed once their workers have stopped")));
        StageDecision all = evictions.and(StageDecision.of(List.of(note), outcomes -> { }));
        return Optional.of(new StageDecision(all.changes(), outcomes -> {
            all.then().accept(outcomes);
            for (int i = 0; i < ids.size(); i++) {
                if (outcomes.get(i) instanceof PlanApplier.Committed) {
                    LOG.info("job {} preempted for {}", ids.get(i), waiting.id());
                }
            }
            if (StageDecision.committed(outcomes.subList(0, ids.size())) > 0) {
                claims.claim(waiting.id()); // the room its victims give up is offered to it first
            }
        }));
    }

    /**
     * Running jobs this waiting job may preempt: lower priority in its queue, borrowers of its
     * cohort, elastic jobs of queues holding more per weight (they shrink), and other jobs of
     * queues holding so much more per weight that taking the job leaves them ahead
     * ({@link FairShare#reclaimable}).
     */
    private List<JobRecord> eligible(JobRecord waiting, QueueSpec queue, List<JobRecord> jobs,
                                              Map<String, QueueSpec> queues, QueueUsage usage, ChipCatalog catalog,
                                              Set<String> forShare) {
        boolean underQuota = queue.quota().tflops() != null && usage.of(queue.name()).tflops() < queue.quota().tflops();
        List<JobRecord> out = new ArrayList<>();
        for (JobRecord j : jobs) {
            if (!(j.state() == JobState.PLACED || j.state() == JobState.RUNNING) || j.cancelRequested()
                    || !j.spec().scheduling().mayBePreempted()) {
                continue;
            }
            QueueSpec theirs = QueueUsage.spec(queues, j.spec().queue());
            boolean other = !theirs.name().equals(queue.name());
            boolean lowerHere = !other && j.spec().priority() < waiting.spec().priority();
            boolean lentToThem = underQuota && other && queue.cohort() != null && queue.cohort().equals(theirs.cohort())
                    && QuotaPolicy.borrowed(theirs, usage) > 0;
            boolean settled = !claims.protectedFromFairShare(j.id());
            boolean shrinkable = other && settled && j.spec().shards().min() < j.placement().shards().size()
                    && share(theirs, usage) > share(queue, usage);
            double c = QuotaCharge.of(j.placement(), catalog).tflops();
            boolean overShare = other && settled && !shrinkable && j.spec().priority() <= waiting.spec().priority() && c > 0
                    && FairShare.staysAhead(effective(theirs.name(), usage.of(theirs.name()).tflops() - c),
                    theirs.weight(), effective(queue.name(), usage.of(queue.name()).tflops() + c), queue.weight());
            if (lowerHere || lentToThem || shrinkable || overShare) {
                out.add(j);
            }
            if (overShare && !lowerHere && !lentToThem) {
                forShare.add(j.id()); // only for fair share: the victims together must not reverse the order
            }
        }
        return out;
    }

    /**
     * What fair share compares for {@code queue} holding {@code holds}: the queue pass's measure
     * (half now, half decayed recent use), so the pass and this class never pull opposite ways.
     */
    private double effective(String queue, double holds) {
        UsageHistory h = memory.usage;
        return h == null ? holds : h.effective(queue, holds);
    }

    /** Whether {@code j} is of a kind {@code waiting} could preempt at all: running, preemptible, lower here or elsewhere. */
    private static boolean mightYield(JobRecord j, JobRecord waiting) {
        return (j.state() == JobState.PLACED || j.state() == JobState.RUNNING) && !j.cancelRequested()
                && j.spec().scheduling().mayBePreempted() && (!j.spec().queue().equals(waiting.spec().queue())
                || j.spec().priority() < waiting.spec().priority());
    }

    /** What a queue holds per unit of weight: the quantity fair share evens out. */
    private static double share(QueueSpec q, QueueUsage usage) {
        return usage.of(q.name()).tflops() / q.weight();
    }

    /** Whether {@code waiting} fits, and its queue admits it, with {@code gone}'s devices and charges released. */
    private boolean fits(CycleState s, JobRecord waiting, QueueSpec queue, Map<String, QueueSpec> queues, QueueUsage usage,
                         List<JobRecord> gone, Set<String> forShare) {
        ClusterSnapshot freed = s.snapshotWithout(gone);
        Optional<Plan> found = KeptReservations.plan(placer, freed, waiting, policy, memory.inForce, clock.millis());
        if (found.isEmpty()) {
            return false;
        }
        Plan plan = found.get();
        QueueUsage after = usage;
        for (JobRecord g : gone) {
            after = after.plus(g.spec().queue(), g.owner() == null ? "" : g.owner(),
                    QuotaCharge.of(g.placement(), freed.catalog()).negated());
        }
        QuotaCharge charge = QuotaCharge.of(plan, freed.catalog());
        for (JobRecord g : gone) {
            QueueSpec theirs = QueueUsage.spec(queues, g.spec().queue());
            if (forShare.contains(g.id()) && !FairShare.staysAhead(effective(theirs.name(), after.of(theirs.name()).tflops()),
                    theirs.weight(), effective(queue.name(), after.of(queue.name()).tflops() + charge.tflops()), queue.weight())) {
                return false; // together these victims would put their queue behind the waiting one
            }
        }
        return QuotaPolicy.admit(queue, queues, after, charge) instanceof QuotaPolicy.Admission.Admit;
    }

    /** Why {@code victim} is preempted for {@code waiting}, with {@code graceMs} to checkpoint: the PREEMPTED event's text. */
    private static String why(JobRecord victim, JobRecord waiting, long graceMs) {
        boolean other = !victim.spec().queue().equals(waiting.spec().queue());
        boolean elastic = other && victim.spec().shards().min() < victim.placement().shards().size();
        return String.format(Locale.ROOT, "preempted for job %s (priority %d, queue %s): its workers get SIGTERM "
                + "and %d s to checkpoint, then it goes back to the queue%s", waiting.id(), waiting.spec().priority(),
                waiting.spec().queue(), graceMs / 1000, elastic ? "; as an elastic job it is placed again on fewer "
                + "shards, giving capacity back to a queue below its fair share" : other && victim.spec().priority()
                >= waiting.spec().priority() ? "; its queue holds well above its fair share, and the capacity goes to a "
                + "queue below it" : "");
    }

    /**
     * Moves {@code victim} to PREEMPTING, if it still runs the same attempt, and asks its workers to
     * stop within {@code graceMs}; {@link JobLifecycle} requeues it once they have. The one path by
     * which a job is preempted, whether this class chose it or an operator's event did (the
     * simulator's injected preemptions): a decision for the loop to commit under its term.
     */
    public StageDecision evict(JobRecord victim, String why, long graceMs) {
        return StageDecision.of(List.of(new Change.Evict(victim.id(), victim.attempt(), why, graceMs)), outcomes -> {
            if (outcomes.get(0) instanceof PlanApplier.Committed) {
                events.preempted(victim.spec().queue());
            }
        });
    }

    private String now() {
        return clock.instant().toString();
    }
}
