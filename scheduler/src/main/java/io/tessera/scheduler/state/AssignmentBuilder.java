package io.tessera.scheduler.state;

import io.tessera.config.ChipCatalog;
import io.tessera.config.ChipType;
import io.tessera.config.wire.ShardAssignment;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.ShardPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a committed plan into per-node shard assignments: ranks, local ranks, rendezvous
 * address and port, and the vendor's visibility variable. Pure.
 */
public final class AssignmentBuilder {
    /** Rendezvous ports are drawn from [BASE_PORT, BASE_PORT + PORT_SPAN). */
    static final int BASE_PORT = 29500;
    static final int PORT_SPAN = 2000;

    private AssignmentBuilder() {
    }

    /**
     * The checkpoint directory {@code job}'s workers get: {@code checkpointDir/<job id>}, or with
     * {@code resumeFrom}, the earlier job's {@code checkpointDir/<that id>}; null leaves the agent's
     * per-job default. So a resubmitted job starts fresh unless it asks to resume.
     */
    public static String checkpointDir(JobRecord job) {
        String base = job.spec().checkpointDir();
        if (base == null) {
            return null;
        }
        String resume = job.spec().scheduling().resumeFrom();
        return base.replaceAll("/+$", "") + "/" + (resume != null ? resume : job.id());
    }

    /** Assignments of {@code job}'s plan, grouped by node name. */
    public static Map<String, List<ShardAssignment>> build(JobRecord job, Plan plan, ChipCatalog catalog) {
        ShardPlan master = plan.shards().get(0);
        int port = BASE_PORT + Math.floorMod(job.id().hashCode() * 31 + job.attempt(), PORT_SPAN);
        Map<String, List<ShardPlan>> byNode = new TreeMap<>();
        plan.shards().forEach(s -> byNode.computeIfAbsent(s.node(), k -> new ArrayList<>()).add(s));
        Map<String, List<ShardAssignment>> out = new TreeMap<>();
        byNode.forEach((node, shards) -> {
            List<ShardAssignment> list = new ArrayList<>();
            for (int local = 0; local < shards.size(); local++) {
                ShardPlan s = shards.get(local);
                ChipType chip = catalog.byId(s.chipType()).orElseThrow();
                list.add(new ShardAssignment(job.id(), job.spec().name(), s.shard(), plan.shards().size(), local,
                        shards.size(), job.attempt(), job.spec().argv(), job.spec().workerEnv(), s.devices(), chip.id(),
                        chip.vendor(), chip.visibilityEnv(), s.precision().wireName(), s.microBatch(), s.accumulation(),
                        job.spec().globalBatch(), s.samplesPerSec(), master.nodeAddress(), port,
                        checkpointDir(job), null, job.spec().checkpointDir() == null ? null
                                : job.spec().scheduling().resumeFrom()));
            }
            out.put(node, list);
        });
        return out;
    }
}
