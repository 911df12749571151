package io.tessera.scheduler.loop;

import io.tessera.scheduler.model.FleetUsage;
import io.tessera.scheduler.model.ThroughputProfile;
import io.tessera.scheduler.policy.ReservationPolicy.Reservation;
import io.tessera.scheduler.policy.UsageHistory;
import io.tessera.scheduler.state.ClusterView;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the scheduling loop carries from one pass to the next, in one place; the stages hold
 * none of their own ({@code ArchitectureTest.theLoopsStagesKeepNoMemoryOfTheirOwn}). What it
 * carries, and who reads it:
 * <ul>
 *   <li>the {@link BlockedSet}: which jobs need not be tried again until what they wait on changes (the queue pass);</li>
 *   <li>the {@link PreemptionClaims}: jobs that preempted, and jobs just started on their reservation
 *       (the queue pass and the preemptor);</li>
 *   <li>the reservations: each blocked head's last answer, the ones in force after the last pass,
 *       what was last published as estimated starts, and the {@link ProgressAnchors} their
 *       predicted ends count from (the queue pass; the preemptor and growth keep them);</li>
 *   <li>each queue's decayed recent use ({@link UsageHistory}: the queue pass and the preemptor);</li>
 *   <li>the preemptor's failed victim searches, with what each depended on;</li>
 *   <li>growth's armed jobs and when each job was last checked for growth and for rebalancing;</li>
 *   <li>the learned profiles as this leader last computed them;</li>
 *   <li>the fleet's use as last sampled into its kept series ({@link FleetSampler});</li>
 *   <li>when each rate-limited stage last ran (liveness, the history's moves and purge, fleet samples).</li>
 * </ul>
 * A leader's memory of its own decisions is only good for its term: {@link #forget} clears it
 * all when this member claims a new term (a leader that lost and regained leadership starts from
 * the store, as a new leader does). Owned by the loop's thread.
 */
public final class CycleMemory {
    final BlockedSet blocked;
    final PreemptionClaims claims;
    final ProgressAnchors anchors;
    /** Each reserved or blocked head's last reservation answer, by job id. */
    final Map<String, Reservations.Cached> reservationAnswers = new HashMap<>();
    /** Each queued non-head's last start estimate (it holds no devices), by job id; a job with none yet maps to null. */
    final Map<String, Reservations.Cached> estimateAnswers = new HashMap<>();
    /** The fleet's use as this leader last wrote it into the kept series (null: not yet this term). */
    FleetUsage.Point fleetSample;
    /** The estimated starts as this leader last wrote them (null: not yet this term), and when. */
    Map<String, String> publishedStarts;
    long publishedAtMs;
    /** The reservations in force after the last queue pass. */
    List<Reservation> inForce = List.of();
    /** Each queue's decayed recent use (null until the first queue pass). */
    UsageHistory usage;
    /** Per waiting job: the hash of what its last fruitless victim search depended on. */
    final Map<String, Long> victimSearches = new HashMap<>();
    /** Jobs armed to grow at their next checkpoint. */
    final Map<String, ElasticGrowth.Armed> armed = new HashMap<>();
    /** When each running job was last checked for growth, and for rebalancing. */
    final Map<String, Long> growthCheckedAt = new HashMap<>();
    final Map<String, Long> rebalanceCheckedAt = new HashMap<>();
    /** The profiles as this leader last learned them, by job class. */
    final Map<String, ThroughputProfile> learned = new HashMap<>();
    /** When each rate-limited stage last ran, by stage. */
    private final Map<String, Long> ranAt = new HashMap<>();

    /**
     * @param blocked the blocked set ({@link BlockedSet#forgetting()} tries every job every pass)
     * @param view    the leader's view, whose shard-report notices the progress anchors follow
     */
    public CycleMemory(BlockedSet blocked, ClusterView view, Clock clock) {
        this.blocked = blocked;
        this.claims = new PreemptionClaims(clock::millis);
        this.anchors = new ProgressAnchors(view, clock);
    }

    /** A remembering memory. */
    public CycleMemory(ClusterView view, Clock clock) {
        this(BlockedSet.remembering(), view, clock);
    }

    /**
     * Whether the stage {@code stage} is due at {@code nowMs}, having last run {@code everyMs} or
     * more ago; if so it is recorded as running now.
     */
    boolean due(String stage, long nowMs, long everyMs) {
        long last = ranAt.getOrDefault(stage, Long.MIN_VALUE / 2);
        if (nowMs - last < everyMs) {
            return false;
        }
        ranAt.put(stage, nowMs);
        return true;
    }

    /** Forgets everything: this member starts a new term. */
    void forget() {
        blocked.clear();
        claims.clear();
        anchors.clear();
        reservationAnswers.clear();
        estimateAnswers.clear();
        publishedStarts = null;
        publishedAtMs = 0;
        fleetSample = null;
        inForce = List.of();
        usage = null;
        victimSearches.clear();
        armed.clear();
        growthCheckedAt.clear();
        rebalanceCheckedAt.clear();
        learned.clear();
        ranAt.clear();
    }

    /** The jobs holding a reservation after the last queue pass (not those with a mere estimate). */
    public List<String> reservedJobs() {
        return inForce.stream().map(Reservation::jobId).toList();
    }

    /** Each queue's decayed recent use as of the last pass (null before the first). */
    public UsageHistory usageHistory() {
        return usage;
    }
}
