package io.tessera.scheduler.state;

import io.tessera.config.wire.CommPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Completes a communication plan at commit: its rendezvous ports and each node's interface
 * variables. A job's ports are one block of consecutive ports in
 * [{@link #BASE_PORT}, {@link #BASE_PORT} + {@link #PORT_SPAN}): the world rendezvous first, then
 * the bridge, then one per group. The block starts at a slot drawn from the job id and attempt and
 * moves on, slot by slot, past any block holding a port that another job's shards on the same
 * nodes use; so no two jobs sharing a node are given one port (while the span has room). Pure.
 */
final class CommPorts {
    static final int BASE_PORT = CommPlan.PORT_BASE;
    static final int PORT_SPAN = CommPlan.PORT_SPAN;
    static final int BLOCK = 16;

    private CommPorts() {
    }

    /**
     * {@code plan} with ports chosen away from {@code taken} and with {@code interfaces}.
     *
     * @param taken      the ports other jobs' shards on the gang's nodes use
     * @param interfaces per node name, the interface variables of its labels
     */
    static CommPlan assign(CommPlan plan, String jobId, int attempt, Set<Integer> taken,
                           Map<String, Map<String, String>> interfaces) {
        int base = blockStart(jobId, attempt, 2 + plan.groups().size(), taken);
        List<CommPlan.Group> groups = new ArrayList<>();
        for (CommPlan.Group g : plan.groups()) {
            groups.add(new CommPlan.Group(g.index(), g.vendor(), g.library(), g.ranks(), g.leader(), g.address(),
                    base + 2 + g.index()));
        }
        CommPlan.Bridge b = plan.bridge();
        CommPlan.Bridge bridge = b == null ? null : new CommPlan.Bridge(b.transport(), b.ranks(), b.address(), base + 1);
        return new CommPlan(base, groups, bridge, interfaces);
    }

    /** The first port of a block of {@code needed} ports none of which is in {@code taken}. */
    static int blockStart(String jobId, int attempt, int needed, Set<Integer> taken) {
        int width = (needed + BLOCK - 1) / BLOCK * BLOCK;
        int slots = PORT_SPAN / width;
        int first = Math.floorMod(jobId.hashCode() * 31 + attempt, slots);
        for (int i = 0; i < slots; i++) {
            int start = BASE_PORT + (first + i) % slots * width;
            if (free(start, needed, taken)) {
                return start;
            }
        }
        return BASE_PORT + first * width; // every block is in use: share one rather than refuse to run
    }

    private static boolean free(int start, int needed, Set<Integer> taken) {
        for (int p = start; p < start + needed; p++) {
            if (taken.contains(p)) {
                return false;
            }
        }
        return true;
    }

    /** The ports {@code plan} uses: world, bridge and groups. */
    static List<Integer> ports(CommPlan plan) {
        List<Integer> out = new ArrayList<>();
        out.add(plan.worldPort());
        if (plan.bridge() != null) {
            out.add(plan.bridge().port());
        }
        plan.groups().forEach(g -> out.add(g.port()));
        return out;
    }
}
