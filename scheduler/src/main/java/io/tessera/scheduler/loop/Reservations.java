package io.tessera.scheduler.loop;

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
import io.tessera.scheduler.state.ClusterStore;
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
import java.util.Set;
import java.util.TreeMap;

/**
 * The reservations of one queue pass ({@link ReservationPolicy}): for each queue whose first job
 * (highest priority, then oldest) does not fit now, the earliest start that running jobs'
 * predicted ends allow, and the devices it will take. Each reserved job's {@code estimatedStartAt}
 * is published through the store for the API.
 */
final class Reservations {
    private final ClusterStore store;
    private final ClusterView view;
    private final Placer placer;
    private final Clock clock;
    /** A head's last answer, reused while the capacity it saw is unchanged and it is younger than {@link #REUSE_MS}. */
    private final Map<String, Cached> cache = new HashMap<>();
    static final long REUSE_MS = 10_000;

    private record Cached(long fingerprint, long atMs, Optional<Reservation> reservation) {
    }

    Reservations(ClusterStore store, ClusterView view, Placer placer, Clock clock) {
        this.store = store;
        this.view = view;
        this.placer = placer;
        this.clock = clock;
    }

    /** The reservations for the heads of the queues in {@code queued} that do not fit {@code snapshot}. */
    List<Reservation> forPass(List<JobRecord> queued, ClusterSnapshot snapshot, PlacementPolicy policy) {
        List<Reservation> out = new ArrayList<>();
        Set<String> heads = new HashSet<>();
        Map<String, Cached> next = new HashMap<>();
        long now = clock.millis();
        for (JobRecord head : queued) {
            if (!heads.add(head.spec().queue())) {
                continue;
            }
            Cached c = cache.get(head.id());
            if (c == null || c.fingerprint() != snapshot.fingerprint() || now - c.atMs() >= REUSE_MS) {
                c = new Cached(snapshot.fingerprint(), now, reserve(head, snapshot, policy));
            }
            next.put(head.id(), c);
            c.reservation().ifPresent(out::add);
        }
        cache.clear();
        cache.putAll(next);
        publish(out);
        return out;
    }

    /** The head's reservation; none if it fits now (this pass places it) or no predicted end makes room. */
    private Optional<Reservation> reserve(JobRecord head, ClusterSnapshot snapshot, PlacementPolicy policy) {
        if (placer.place(snapshot, head.id(), head.spec(), policy) instanceof Plan) {
            return Optional.empty();
        }
        List<Ending> endings = endings();
        return ReservationPolicy.reserve(head, endings, gone -> plan(head, view.snapshotWithout(gone), policy));
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

    /** Running jobs with a predicted end. */
    private List<Ending> endings() {
        long now = clock.millis();
        List<Ending> out = new ArrayList<>();
        for (JobRecord j : view.jobs()) {
            if ((j.state() == JobState.PLACED || j.state() == JobState.RUNNING) && j.placement() != null) {
                OptionalDouble left = ReservationPolicy.remainingSec(j, store.shardReports(j.id(),
                        j.placement().shards().size()));
                left.ifPresent(sec -> out.add(new Ending(j, now + (long) (sec * 1000))));
            }
        }
        return out;
    }

    private void publish(List<Reservation> reservations) {
        Map<String, String> estimates = new TreeMap<>();
        reservations.forEach(r -> estimates.put(r.jobId(), Instant.ofEpochMilli(r.startAtMs()).toString()));
        store.putEstimatedStarts(estimates);
    }
}
