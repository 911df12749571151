package io.tessera.scheduler.policy;

import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpec;
import io.tessera.config.wire.AssignmentSet;
import io.tessera.config.wire.DeviceReport;
import io.tessera.config.wire.ShardAssignment;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.NodeState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a waiting job waits for, chip type by chip type: of the chip types that would take it (in
 * its {@code chipTypes}, supporting one of its precisions), how many devices are free, busy and
 * with which jobs, on drained nodes, unhealthy, or on lost nodes. Pure. Read by the job's owner
 * and admins only (it is part of the job's record).
 */
public final class WaitReasons {
    private static final int MAX_JOBS = 4;

    private WaitReasons() {
    }

    /** How one chip type's devices stand. */
    static final class Tally {
        int total;
        int free;
        int drained;
        int unhealthy;
        int lost;
        final Map<String, Integer> busy = new TreeMap<>();
    }

    /** The fleet's devices counted by chip type and state, once per pass for every waiting job. */
    public record Fleet(Map<String, Tally> byChip) {
    }

    /** Counts the fleet. */
    public static Fleet count(Collection<NodeRecord> nodes, Map<String, AssignmentSet> sets) {
        Map<String, Tally> byChip = new TreeMap<>();
        for (NodeRecord n : nodes) {
            Map<Integer, String> holder = new TreeMap<>();
            AssignmentSet set = sets.get(n.name());
            if (set != null) {
                for (ShardAssignment a : set.shards()) {
                    a.devices().forEach(d -> holder.put(d, a.jobId()));
                }
            }
            for (DeviceReport d : n.devices()) {
                Tally t = byChip.computeIfAbsent(d.chipType(), k -> new Tally());
                t.total++;
                if (n.state() == NodeState.LOST) {
                    t.lost++;
                } else if (!d.healthy()) {
                    t.unhealthy++;
                } else if (holder.containsKey(d.index())) {
                    t.busy.merge(holder.get(d.index()), 1, Integer::sum);
                } else if (n.drained()) {
                    t.drained++;
                } else {
                    t.free++;
                }
            }
        }
        return new Fleet(byChip);
    }

    /** E.g. {@code nvidia-h20: 8 devices: 0 free, 6 busy (job-a 4, job-b 2), 2 on drained nodes}. */
    public static String blockers(JobSpec spec, ChipCatalog catalog, Fleet fleet) {
        List<String> parts = new ArrayList<>();
        fleet.byChip().forEach((chip, t) -> {
            if (takes(spec, catalog, chip)) {
                parts.add(describe(chip, t));
            }
        });
        return parts.isEmpty() ? "no chip type of this fleet would take it (its chipTypes and precisions)"
                : String.join("; ", parts);
    }

    private static boolean takes(JobSpec spec, ChipCatalog catalog, String chip) {
        return catalog.byId(chip).map(c -> spec.allows(c) && c.bestOf(spec.precisions()).isPresent()).orElse(false);
    }

    private static String describe(String chip, Tally t) {
        StringBuilder b = new StringBuilder(chip).append(": ").append(t.total).append(" devices: ").append(t.free).append(" free");
        int busy = t.busy.values().stream().mapToInt(Integer::intValue).sum();
        if (busy > 0) {
            List<String> jobs = new ArrayList<>();
            t.busy.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(MAX_JOBS)
                    .forEach(e -> jobs.add(e.getKey() + " " + e.getValue()));
            if (t.busy.size() > MAX_JOBS) {
                jobs.add((t.busy.size() - MAX_JOBS) + " more jobs");
            }
            b.append(", ").append(busy).append(" busy (").append(String.join(", ", jobs)).append(')');
        }
        if (t.drained > 0) {
            b.append(", ").append(t.drained).append(" on drained nodes");
        }
        if (t.unhealthy > 0) {
            b.append(", ").append(t.unhealthy).append(" unhealthy");
        }
        if (t.lost > 0) {
            b.append(", ").append(t.lost).append(" on lost nodes");
        }
        return b.toString();
    }
}
