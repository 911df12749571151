package io.tessera.scheduler.policy;

import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.ShardPlan;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Reservations for wide gangs, and the backfill rule around them, in the manner of EASY backfill
 * (Slurm's backfill scheduler), with predicted rather than declared run times. Pure: the caller
 * supplies the clock, predictions and a planner.
 * <ul>
 *   <li>A running job's remaining time is its steps left (from its shards' progress reports, or
 *       its spec's {@code scheduling.steps}) times its plan's predicted step time. A job without
 *       a step count has no predicted end.</li>
 *   <li>A waiting head gang's reservation is the earliest moment, among running jobs' predicted
 *       ends, at which it fits once the jobs ending by then have released their devices; it holds
 *       the devices of its plan at that moment.</li>
 *   <li>Another job may start now only if its plan uses none of a reservation's devices, or it is
 *       predicted to finish before the reservation starts.</li>
 * </ul>
 */
public final class ReservationPolicy {
    /** At most this many distinct predicted end times are tried per reservation; each costs a placement. */
    public static final int MAX_STEPS = 32;

    private ReservationPolicy() {
    }

    /**
     * A reservation.
     *
     * @param jobId     the gang it is for
     * @param startAtMs when it is predicted to start
     * @param devices   the devices it will take: node name to device indices
     * @param waitsFor  the running jobs whose end it waits for
     * @param chips     the chip types of its plan
     * @param plan      the plan it was worked out with, which its devices will hold when they free
     */
    public record Reservation(String jobId, long startAtMs, Map<String, Set<Integer>> devices, List<String> waitsFor,
                              Set<String> chips, Plan plan) {
        /** This reservation, starting at {@code atMs}. */
        public Reservation startingAt(long atMs) {
            return new Reservation(jobId, atMs, devices, waitsFor, chips, plan);
        }
    }

    /** A running job and when it is predicted to end. */
    public record Ending(JobRecord job, long endAtMs) {
    }

    /** Seconds a job still needs, or empty when it declares no step count and reports none. */
    public static OptionalDouble remainingSec(JobRecord job, Map<Integer, ShardReport> reports) {
        if (job.placement() == null) {
            return OptionalDouble.empty();
        }
        Long total = job.spec().scheduling().steps();
        long done = 0;
        for (ShardReport r : reports.values()) {
            if (r.attempt() == job.attempt()) {
                if (r.totalSteps() != null) {
                    total = r.totalSteps();
                }
                if (r.step() != null) {
                    done = Math.max(done, r.step());
                }
            }
        }
        if (total == null) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(Math.max(0, total - done) * job.placement().stepTimeSec());
    }

    /**
     * The earliest reservation for {@code head}: running jobs are released in order of predicted
     * end, and at each end {@code planWithout} tries to place the head with those jobs' devices free.
     */
    public static Optional<Reservation> reserve(JobRecord head, List<Ending> endings,
                                                Function<List<JobRecord>, Optional<Plan>> planWithout) {
        List<Ending> byEnd = new ArrayList<>(endings);
        byEnd.sort(Comparator.comparingLong(Ending::endAtMs).thenComparing(e -> e.job().id()));
        List<JobRecord> released = new ArrayList<>();
        int tried = 0;
        for (int i = 0; i < byEnd.size() && tried < MAX_STEPS; i++) {
            released.add(byEnd.get(i).job());
            if (i + 1 < byEnd.size() && byEnd.get(i + 1).endAtMs() == byEnd.get(i).endAtMs()) {
                continue; // release every job ending at the same moment together
            }
            tried++;
            Optional<Plan> plan = planWithout.apply(List.copyOf(released));
            if (plan.isPresent()) {
                return Optional.of(reservation(head, byEnd.get(i).endAtMs(), plan.get(), released));
            }
        }
        return Optional.empty();
    }

    private static Reservation reservation(JobRecord head, long at, Plan plan, List<JobRecord> released) {
        Map<String, Set<Integer>> devices = new TreeMap<>();
        Set<String> chips = new TreeSet<>();
        for (ShardPlan s : plan.shards()) {
            devices.computeIfAbsent(s.node(), k -> new TreeSet<>()).addAll(s.devices());
            chips.add(s.chipType());
        }
        List<String> waitsFor = new ArrayList<>();
        for (JobRecord j : released) {
            boolean holdsSome = j.placement().shards().stream().anyMatch(s -> devices.containsKey(s.node())
                    && s.devices().stream().anyMatch(devices.get(s.node())::contains));
            if (holdsSome) {
                waitsFor.add(j.id());
            }
        }
        return new Reservation(head.id(), at, devices, waitsFor, chips, plan);
    }

    /**
     * Whether a job with {@code plan}, predicted to end at {@code endAtMs} (empty: unknown), may
     * start now without delaying any of {@code reservations} (its own excepted).
     */
    public static Optional<Reservation> delays(String jobId, Plan plan, OptionalDouble runSec, long nowMs,
                                               List<Reservation> reservations) {
        for (Reservation r : reservations) {
            if (r.jobId().equals(jobId)) {
                continue;
            }
            boolean endsBefore = endsBy(runSec, nowMs, r.startAtMs());
            if (!endsBefore && overlaps(plan, r)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /**
     * The devices of {@code reservations} (its own excepted) that a job running {@code runSec} from
     * {@code nowMs} would still hold when they start: a plan beside them delays none of them.
     */
    public static Map<String, Set<Integer>> heldAgainst(String jobId, OptionalDouble runSec, long nowMs,
                                                        List<Reservation> reservations) {
        Map<String, Set<Integer>> out = new TreeMap<>();
        for (Reservation r : reservations) {
            boolean endsBefore = endsBy(runSec, nowMs, r.startAtMs());
            if (!r.jobId().equals(jobId) && !endsBefore) {
                r.devices().forEach((node, d) -> out.computeIfAbsent(node, k -> new TreeSet<>()).addAll(d));
            }
        }
        return out;
    }

    /** Whether a job running {@code runSec} from {@code nowMs} ends by {@code atMs} (rounded up to the millisecond). */
    private static boolean endsBy(OptionalDouble runSec, long nowMs, long atMs) {
        return runSec.isPresent() && nowMs + (long) Math.ceil(runSec.getAsDouble() * 1000) <= atMs;
    }

    private static boolean overlaps(Plan plan, Reservation r) {
        for (ShardPlan s : plan.shards()) {
            Set<Integer> held = r.devices().getOrDefault(s.node(), Set.of());
            Set<Integer> mine = new HashSet<>(s.devices());
            mine.retainAll(held);
            if (!mine.isEmpty()) {
                return true;
            }
        }
        return false;
    }
}
