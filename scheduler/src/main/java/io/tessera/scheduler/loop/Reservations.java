package io.tessera.scheduler.loop;

import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.placement.ClusterSnapshot;
import io.tessera.scheduler.placement.PlacementPolicy;
import io.tessera.scheduler.placement.PlacementResult;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.Placer;
import io.tessera.scheduler.policy.ReservationPolicy;
import io.tessera.scheduler.policy.ReservationPolicy.Ending;
import io.tessera.scheduler.policy.ReservationPolicy.Reservation;
import io.tessera.scheduler.policy.ReservationPromise;
import io.tessera.scheduler.state.Change;
import io.tessera.scheduler.state.ClusterReads;
import io.tessera.scheduler.state.ClusterView;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The reservations of the queue passes ({@link ReservationPolicy}): when the first job of a queue
 * (highest priority, then oldest) does not fit, the earliest start that running jobs' predicted
 * ends allow ({@link ProgressAnchors}), and the devices it will take, planned without the devices
 * other reservations hold or this pass has already given out. Worked out when a head is found
 * blocked, again after {@link #REUSE_MS} or when the capacity it saw changes, and kept until the
 * job is placed or leaves the queue, even when it stops being its queue's head (a preempted,
 * older job of its queue coming back, say). A reservation is a promise ({@link ReservationPromise}):
 * a renewal keeps its devices and start unless a fresh plan starts earlier, and moves it later
 * only by as much as the jobs on its devices overran; when its time has come and its devices are
 * free, the job gets the plan it reserved ({@link #due}). Each reserved job's
 * {@code estimatedStartAt} is published through the store for the API.
 */
final class Reservations implements ReservationBook {
    private final ClusterReads store;
    private final Placer placer;
    private final Clock clock;
    /** Each head's last answer ({@link CycleMemory#reservationAnswers}), reused while the capacity it saw is unchanged and it is younger than {@link #REUSE_MS}. */
    private final Map<String, Cached> cache;
    static final long REUSE_MS = 10_000;
    /** The loop's memory: what was last published, the progress anchors. */
    private final CycleMemory memory;
    /** A changed capacity is looked at again only after this long, so a busy pass does not recompute every time. */
    static final long MIN_AGE_MS = 1_000;

    /** A head's reservation answer, with the capacity it saw and when. */
    record Cached(long fingerprint, long atMs, Optional<Reservation> reservation) {
    }

    private final ProgressAnchors anchors;

    Reservations(ClusterReads store, Placer placer, Clock clock, CycleMemory memory) {
        this.memory = memory;
        this.cache = memory.reservationAnswers;
        this.anchors = memory.anchors;
        this.store = store;
        this.placer = placer;
        this.clock = clock;
    }

    /**
     * The reservations already worked out for jobs still in {@code queued}, however old and
     * wherever they now stand in their queue. Age only makes {@link #blocked} work one out again
     * when the job is looked at: dropping old ones here let a later job take a head's devices in a
     * pass that skipped the head, because the capacity it did not fit into had not changed; and
     * dropping a job's reservation when it stopped being its queue's head made it wait past it.
     */
    List<Reservation> forPass(List<JobRecord> queued) {
        anchors.observe();
        Set<String> waiting = new HashSet<>();
        queued.forEach(j -> waiting.add(j.id()));
        cache.keySet().removeIf(id -> !waiting.contains(id));
        memory.estimateAnswers.keySet().removeIf(id -> !waiting.contains(id));
        List<Reservation> out = new ArrayList<>();
        cache.values().forEach(c -> c.reservation().ifPresent(out::add));
        return out;
    }

    /** Whether {@code jobId} holds a reservation: it keeps one, and has it renewed, until it is placed. */
    @Override
    public boolean holds(String jobId) {
        Cached c = cache.get(jobId);
        return c != null && c.reservation().isPresent();
    }

    /**
     * A queue head (or a job that holds a reservation) that did not fit {@code snapshot}: its
     * reservation, worked out again when the one held is older than {@link #REUSE_MS}, or saw other
     * capacity and is older than {@link #MIN_AGE_MS}, and kept as promised
     * ({@link ReservationPromise#keep}). Empty when no predicted end makes room.
     *
     * @param others  the reservations in force: their devices are not counted on
     * @param pending devices of plans this pass decided and has not committed yet: not counted on either
     */
    @Override
    public Optional<Reservation> blocked(CycleState s, JobRecord head, ClusterSnapshot snapshot, PlacementPolicy policy,
                                  List<Reservation> others, Map<String, Set<Integer>> pending) {
        long now = clock.millis();
        Map<String, Set<Integer>> held = heldBy(others, head.id());
        Map<String, Set<Integer>> taken = heldBy(others, head.id());
        pending.forEach((node, d) -> taken.computeIfAbsent(node, k -> new TreeSet<>()).addAll(d));
        long seen = snapshot.fingerprint() * 31 + held.hashCode();
        Cached c = cache.get(head.id());
        boolean changed = c != null && c.fingerprint() != seen && now - c.atMs() >= MIN_AGE_MS;
        if (c == null || changed || now - c.atMs() >= REUSE_MS) {
            List<Ending> endings = endings(s);
            Optional<Reservation> fresh = ReservationPolicy.reserve(head, endings,
                    gone -> plan(head, s.snapshotWithout(gone).withoutDevices(taken), policy));
            Optional<Reservation> old = c == null ? Optional.empty() : c.reservation();
            c = new Cached(seen, now, ReservationPromise.keep(old, fresh, old.map(o -> released(s, o, held, endings, now))
                    .orElse(OptionalLong.empty())));
            cache.put(head.id(), c);
        }
        return c.reservation();
    }

    /** How many waiting jobs of each queue, beyond its reserved ones, get a start estimate (the rest: too far to say). */
    static final int ESTIMATES_PER_QUEUE = 8;

    @Override
    public void wantsEstimate(String jobId) {
        memory.estimateAnswers.putIfAbsent(jobId, null);
    }

    /**
     * The start estimates to publish beside the reservations in force: for the first
     * {@link #ESTIMATES_PER_QUEUE} jobs of each queue that did not fit (now or when last tried,
     * for jobs the blocked set spares) and were neither placed nor reserved this pass, worked out
     * as {@link #blocked} does after every reservation in force, and cached as long. They hold no
     * device: a later pass never counts one among the reservations in force. Worked out once the
     * pass has decided, so a job spared by the blocked set gets the same estimate as one tried
     * again. Regression: only queue heads got an {@code estimatedStartAt}, so a job second in its
     * queue showed none though the running jobs' ends, and so its start, were known.
     */
    List<Reservation> estimates(CycleState s, List<JobRecord> queued, Set<String> placed, ClusterSnapshot working,
                                List<Reservation> reserved, Function<JobRecord, PlacementPolicy> policies) {
        Set<String> holding = new HashSet<>(placed);
        reserved.forEach(r -> holding.add(r.jobId()));
        Map<String, Integer> perQueue = new HashMap<>();
        List<Reservation> out = new ArrayList<>();
        for (JobRecord job : queued) {
            if (holding.contains(job.id()) || !memory.estimateAnswers.containsKey(job.id())
                    || perQueue.merge(job.spec().queue(), 1, Integer::sum) > ESTIMATES_PER_QUEUE) {
                continue;
            }
            estimate(s, job, working, policies.apply(job), reserved).ifPresent(out::add);
        }
        return out;
    }

    private Optional<Reservation> estimate(CycleState s, JobRecord job, ClusterSnapshot snapshot, PlacementPolicy policy,
                                           List<Reservation> others) {
        long now = clock.millis();
        Map<String, Set<Integer>> taken = heldBy(others, job.id());
        long seen = snapshot.fingerprint() * 31 + taken.hashCode();
        Cached c = memory.estimateAnswers.get(job.id());
        boolean changed = c != null && c.fingerprint() != seen && now - c.atMs() >= MIN_AGE_MS;
        if (c == null || changed || now - c.atMs() >= REUSE_MS) {
            Optional<Reservation> fresh = ReservationPolicy.reserve(job, endings(s),
                    gone -> plan(job, s.snapshotWithout(gone).withoutDevices(taken), policy));
            c = new Cached(seen, now, fresh);
            memory.estimateAnswers.put(job.id(), c);
        }
        return c.reservation();
    }

    /** When the devices of {@code r} free ({@link ReservationPromise#releasedAtMs}); empty if another reservation holds one. */
    private OptionalLong released(CycleState s, Reservation r, Map<String, Set<Integer>> held, List<Ending> endings, long now) {
        for (Map.Entry<String, Set<Integer>> e : r.devices().entrySet()) {
            if (e.getValue().stream().anyMatch(held.getOrDefault(e.getKey(), Set.of())::contains)) {
                return OptionalLong.empty();
            }
        }
        List<JobRecord> stopping = s.jobs().stream().filter(j -> j.state() == JobState.PREEMPTING).toList();
        return ReservationPromise.releasedAtMs(r.devices(), s.capacity(), s.snapshot(), endings, stopping, now);
    }

    /**
     * The plan {@code jobId}'s reservation was worked out with, when its time has come and all its
     * devices are free in {@code now}: the promise is kept even if a fresh search on {@code now}
     * does not find that plan (the search is a heuristic, and other jobs have moved since).
     */
    @Override
    public Optional<Plan> due(String jobId, ClusterSnapshot now) {
        Cached c = cache.get(jobId);
        return c == null ? Optional.empty() : c.reservation().filter(r -> r.plan() != null && r.startAtMs() <= clock.millis()
                && ReservationPromise.allFree(r.devices(), now)).map(Reservation::plan);
    }

    /**
     * The devices other queues' heads have reserved: a head's reservation is planned without them,
     * so two heads never count on the same devices and the one planned later starts later instead
     * of being overtaken (Slurm's backfill reserves in priority order the same way).
     */
    private static Map<String, Set<Integer>> heldBy(List<Reservation> others, String self) {
        Map<String, Set<Integer>> out = new TreeMap<>();
        for (Reservation r : others) {
            if (!r.jobId().equals(self)) {
                r.devices().forEach((node, devices) -> out.computeIfAbsent(node, k -> new TreeSet<>()).addAll(devices));
            }
        }
        return out;
    }

    /** How long {@code job} would run with {@code plan}: its declared steps times the plan's step time. */
    static OptionalDouble runSec(JobRecord job, Plan plan) {
        Long steps = job.spec().scheduling().steps();
        return steps == null ? OptionalDouble.empty() : OptionalDouble.of(steps * plan.stepTimeSec());
    }

    private Optional<Plan> plan(JobRecord head, ClusterSnapshot freed, PlacementPolicy policy) {
        PlacementResult r = placer.place(freed, head.id(), head.spec(), policy);
        return r instanceof Plan p ? Optional.of(p) : Optional.empty();
    }

    /**
     * Running jobs with a predicted end: their remaining time counted from when their reported
     * step was reached ({@link ProgressAnchors}), not from now.
     */
    private List<Ending> endings(CycleState s) {
        long now = clock.millis();
        List<Ending> out = new ArrayList<>();
        Set<String> running = new HashSet<>();
        List<JobRecord> placed = s.jobs().stream().filter(j -> (j.state() == JobState.PLACED
                || j.state() == JobState.RUNNING) && j.placement() != null).toList();
        Map<String, Integer> shardsByJob = new HashMap<>();
        placed.forEach(j -> shardsByJob.put(j.id(), j.placement().shards().size()));
        Map<String, Map<Integer, ShardReport>> all = placed.isEmpty() ? Map.of() : store.shardReports(shardsByJob);
        for (JobRecord j : placed) {
            Map<Integer, ShardReport> reports = all.getOrDefault(j.id(), Map.of());
            OptionalDouble left = ReservationPolicy.remainingSec(j, reports);
            if (left.isPresent()) {
                running.add(j.id());
                out.add(new Ending(j, anchors.predictedEndMs(j, reports, left.getAsDouble())));
            }
        }
        anchors.retain(running);
        return out;
    }

    /**
     * The reservations in force after a pass, as each reserved job's predicted start, to publish;
     * empty when they are what was last published, unless that was {@code REUSE_MS} ago.
     */
    Optional<Change.EstimatedStarts> publish(List<Reservation> reservations) {
        Map<String, String> estimates = new TreeMap<>();
        reservations.forEach(r -> estimates.put(r.jobId(), Instant.ofEpochMilli(r.startAtMs()).toString()));
        long now = clock.millis();
        // Most passes change nothing: no store round trip for them, but a rewrite every REUSE_MS in
        // case another leader wrote in between.
        if (!estimates.equals(memory.publishedStarts) || now - memory.publishedAtMs >= REUSE_MS) {
            memory.publishedStarts = estimates;
            memory.publishedAtMs = now;
            return Optional.of(new Change.EstimatedStarts(estimates));
        }
        return Optional.empty();
    }
}
