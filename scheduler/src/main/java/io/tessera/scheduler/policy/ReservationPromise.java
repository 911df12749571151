package io.tessera.scheduler.policy;

import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.placement.ClusterSnapshot;
import io.tessera.scheduler.placement.ShardPlan;
import io.tessera.scheduler.policy.ReservationPolicy.Ending;
import io.tessera.scheduler.policy.ReservationPolicy.Reservation;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A reservation is a promise: once a gang holds one, it keeps its devices and its start when it
 * is worked out again, and only moves when that helps it. Pure. Without this, each renewal
 * re-planned the gang around the reservations made since, and when fair share put another
 * queue's head first, that head's new reservation took devices this one was counting on and
 * pushed it hours later (the fair-share replay in docs/queues.md).
 * <ul>
 *   <li>The devices a reservation holds are released at the latest predicted end of the jobs on
 *       them ({@link #releasedAtMs}); free devices are released now. A device that is gone (its
 *       node lost or drained, the device unhealthy), or held by a job with no predicted end,
 *       is never released: the promise cannot be kept and the gang is planned afresh.</li>
 *   <li>{@link #keep}: the reservation held is the old one, moved later only by as much as the
 *       jobs on its devices overran their predictions, unless a fresh plan starts earlier.</li>
 * </ul>
 */
public final class ReservationPromise {
    private ReservationPromise() {
    }

    /**
     * When every device of {@code devices} is free, or empty when that cannot be predicted.
     *
     * @param capacity the idle fleet: every healthy device of a ready node
     * @param now      what is free now
     * @param endings  running jobs with a predicted end
     * @param stopping jobs that are releasing their devices now (preempted, stopping at their checkpoint)
     */
    public static OptionalLong releasedAtMs(Map<String, Set<Integer>> devices, ClusterSnapshot capacity,
                                            ClusterSnapshot now, List<Ending> endings,
                                            List<JobRecord> stopping, long nowMs) {
        Map<String, Map<Integer, Long>> ends = endsOn(devices.keySet(), endings);
        long at = nowMs;
        for (Map.Entry<String, Set<Integer>> e : devices.entrySet()) {
            Set<Integer> present = devicesOf(capacity, e.getKey());
            Set<Integer> free = devicesOf(now, e.getKey());
            Map<Integer, Long> endOn = ends.getOrDefault(e.getKey(), Map.of());
            for (int d : e.getValue()) {
                if (!present.contains(d)) {
                    return OptionalLong.empty();
                }
                if (free.contains(d) || holds(stopping, e.getKey(), d)) {
                    continue;
                }
                Long end = endOn.get(d);
                if (end == null) {
                    return OptionalLong.empty();
                }
                at = Math.max(at, end);
            }
        }
        return OptionalLong.of(at);
    }

    /** The predicted end of the job on each device of {@code nodes}: the endings read once, not once per device. */
    private static Map<String, Map<Integer, Long>> endsOn(Set<String> nodes, List<Ending> endings) {
        Map<String, Map<Integer, Long>> out = new HashMap<>();
        for (Ending e : endings) {
            for (ShardPlan s : e.job().placement().shards()) {
                if (nodes.contains(s.node())) {
                    Map<Integer, Long> byDevice = out.computeIfAbsent(s.node(), k -> new HashMap<>());
                    s.devices().forEach(d -> byDevice.put(d, e.endAtMs()));
                }
            }
        }
        return out;
    }

    /**
     * The reservation to hold: {@code old} (moved to {@code releasedAtMs} if its devices free
     * later than it said), unless {@code fresh} starts earlier or the old one cannot be kept.
     */
    public static Optional<Reservation> keep(Optional<Reservation> old, Optional<Reservation> fresh,
                                             OptionalLong releasedAtMs) {
        if (old.isEmpty() || releasedAtMs.isEmpty()) {
            return fresh;
        }
        Reservation o = old.get();
        Reservation kept = releasedAtMs.getAsLong() <= o.startAtMs() ? o : o.startingAt(releasedAtMs.getAsLong());
        return fresh.isPresent() && fresh.get().startAtMs() < kept.startAtMs() ? fresh : Optional.of(kept);
    }

    /** Whether every device of {@code devices} is free in {@code now}: the reserved plan can be committed as it is. */
    public static boolean allFree(Map<String, Set<Integer>> devices, ClusterSnapshot now) {
        return devices.entrySet().stream().allMatch(e -> devicesOf(now, e.getKey()).containsAll(e.getValue()));
    }

    private static Set<Integer> devicesOf(ClusterSnapshot snapshot, String node) {
        Set<Integer> out = new HashSet<>();
        snapshot.node(node).ifPresent(n -> n.freeDevices().values().forEach(out::addAll));
        return out;
    }

    private static boolean holds(List<JobRecord> jobs, String node, int device) {
        return jobs.stream().anyMatch(j -> j.placement() != null && j.placement().shards().stream()
                .anyMatch(s -> s.node().equals(node) && s.devices().contains(device)));
    }
}
