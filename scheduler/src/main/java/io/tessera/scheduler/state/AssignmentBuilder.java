package io.tessera.scheduler.state;

import io.tessera.config.ChipCatalog;
import io.tessera.config.ChipType;
import io.tessera.config.EffectiveWorker;
import io.tessera.config.NetworkConfig;
import io.tessera.config.wire.AssignmentSet;
import io.tessera.config.wire.CommPlan;
import io.tessera.config.wire.ShardAssignment;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.placement.CatalogThroughputModel;
import io.tessera.scheduler.placement.CommPlanner;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.ShardPlan;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Turns a committed plan into per-node shard assignments: ranks, local ranks, rendezvous
 * address and port, the vendor's visibility variable, and the communication plan (completed here
 * with ports and interface variables, {@link #completed}). Pure.
 */
public final class AssignmentBuilder {
    private static final CatalogThroughputModel CATALOG_MODEL = new CatalogThroughputModel();

    private AssignmentBuilder() {
    }

    /**
     * {@code plan} with its communication plan completed for {@code job}'s attempt: ports away from
     * {@code taken} (those other jobs use on the gang's nodes) and each node's interface variables
     * from its labels. A plan built outside the engine, without a communication plan, gets the
     * default one (Gloo bridge).
     */
    public static Plan completed(JobRecord job, Plan plan, ChipCatalog catalog,
                                 Function<String, Map<String, String>> labels, Set<Integer> taken) {
        Function<String, ChipType> chips = id -> catalog.byId(id).orElseThrow();
        CommPlan shape = plan.communication() != null ? plan.communication()
                : CommPlanner.plan(plan.shards(), chips, NetworkConfig.DEFAULT);
        Map<String, Set<String>> libraries = new TreeMap<>();
        for (ShardPlan s : plan.shards()) {
            shape.groupOf(s.shard()).ifPresent(g -> libraries.computeIfAbsent(s.node(), k -> new TreeSet<>()).add(g.library()));
        }
        Map<String, Map<String, String>> interfaces = new TreeMap<>();
        libraries.forEach((node, libs) -> {
            Map<String, String> env = InterfaceHints.of(labels.apply(node), libs);
            if (!env.isEmpty()) {
                interfaces.put(node, env);
            }
        });
        return plan.withCommunication(CommPorts.assign(shape, job.id(), job.attempt(), taken, interfaces));
    }

    /** The ports the shards in {@code sets} use, other than {@code jobId}'s own. */
    public static Set<Integer> portsInUse(Collection<AssignmentSet> sets, String jobId) {
        Set<Integer> out = new HashSet<>();
        for (AssignmentSet set : sets) {
            for (ShardAssignment a : set.shards()) {
                if (!a.jobId().equals(jobId)) {
                    out.add(a.masterPort());
                    if (a.comm() != null) {
                        out.addAll(CommPorts.ports(a.comm()));
                    }
                }
            }
        }
        return out;
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

    /** Assignments of {@code job}'s plan (as {@link #completed} left it), grouped by node name. */
    public static Map<String, List<ShardAssignment>> build(JobRecord job, Plan plan, ChipCatalog catalog) {
        ShardPlan master = plan.shards().get(0);
        CommPlan comm = plan.communication();
        int port = comm.worldPort();
        Map<String, List<ShardPlan>> byNode = new TreeMap<>();
        plan.shards().forEach(s -> byNode.computeIfAbsent(s.node(), k -> new ArrayList<>()).add(s));
        List<String> nodeOrder = byNode.keySet().stream() // the node of shard 0 is group rank 0, as torchrun's
                .sorted(Comparator.comparingInt(n -> byNode.get(n).stream().mapToInt(ShardPlan::shard).min().orElse(0)))
                .toList();
        Map<String, List<ShardAssignment>> out = new TreeMap<>();
        byNode.forEach((node, shards) -> {
            List<ShardAssignment> list = new ArrayList<>();
            for (int local = 0; local < shards.size(); local++) {
                ShardPlan s = shards.get(local);
                ChipType chip = catalog.byId(s.chipType()).orElseThrow();
                EffectiveWorker worker = job.spec().workerFor(chip); // the variant for this chip type, if any
                list.add(ShardAssignment.builder(job.id(), s.shard()).jobName(job.spec().name())
                        .gang(plan.shards().size(), local, shards.size()).attempt(job.attempt())
                        .nodes(nodeOrder.indexOf(node), nodeOrder.size())
                        .command(worker.argv(), worker.env()).image(worker.image()).jobUid(job.identity().uid())
                        .checkpoints(checkpointDir(job), job.spec().checkpointDir() == null ? null
                                : job.spec().scheduling().resumeFrom())
                        .devices(s.devices(), chip.id(), chip.vendor(), chip.visibilityEnv())
                        .batch(s.precision().wireName(), s.microBatch(), s.accumulation(), job.spec().globalBatch(),
                                s.samplesPerSec())
                        .split(plan.splitVersion(), CATALOG_MODEL.shardSamplesPerSec(chip, s.precision(), job.spec()))
                        .rendezvous(master.nodeAddress(), port, comm.forNode(node)).build());
            }
            out.put(node, list);
        });
        return out;
    }
}
