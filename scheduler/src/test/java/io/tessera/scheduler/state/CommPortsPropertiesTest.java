package io.tessera.scheduler.state;

import io.tessera.scheduler.state.memory.InMemoryClusterStore;
import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.scheduler.model.EventType;
import io.tessera.agent.worker.WorkerEnvironment;
import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpec;
import io.tessera.config.JobSpecParser;
import io.tessera.config.wire.CommPlan;
import io.tessera.config.wire.DeviceReport;
import io.tessera.config.wire.ShardAssignment;
import io.tessera.scheduler.leader.Term;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.NodeState;
import io.tessera.scheduler.placement.ClusterSnapshot;
import io.tessera.scheduler.placement.PlacementEngine;
import io.tessera.scheduler.placement.PlacementPolicy;
import io.tessera.scheduler.placement.PlacementResult;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Ports of committed communication plans, over generated fleets and sequences of jobs committed
 * through the one commit path ({@link PlanApplier}): a job's world, bridge and group ports are
 * distinct; no two jobs with shards on one node share a port; two Ascend shards on one node never
 * share HCCL's listening ports; every shard receives its job's plan with its own node's interface
 * variables, which come from the node's labels.
 */
class CommPortsPropertiesTest {
    private static final ChipCatalog CATALOG = ChipCatalog.builtIn();
    private static final List<String> CHIPS = List.of("nvidia-h20", "ascend-910b", "acme-tpx1");

    @Property(tries = 150)
    void portsNeverCollideOnANodeAndEveryShardGetsItsJobsPlan(@ForAll("fleets") List<int[]> fleet,
                                                            @ForAll("jobs") List<int[]> jobs) {
        ClusterStore store = new InMemoryClusterStore();
        PlanApplier applier = new PlanApplier(store, CATALOG);
        for (int i = 0; i < fleet.size(); i++) {
            node(store, "n" + i, CHIPS.get(fleet.get(i)[0]), fleet.get(i)[1], i % 2 == 0);
        }
        Term term = new Term("me", store.claimLeadership("me").epoch(), 0);
        for (int j = 0; j < jobs.size(); j++) {
            String id = "job-" + j;
            JobSpec spec = spec(id, jobs.get(j));
            store.insertJob(JobRecord.submitted(id, j, spec,
                    "alice", "2026-01-01T00:00:00Z"));
            ClusterSnapshot snapshot = SnapshotBuilder.build(CATALOG, store.nodes(), store.allAssignments());
            PlacementResult r = new PlacementEngine().place(snapshot, id, spec, PlacementPolicy.DEFAULT);
            if (r instanceof Plan plan) {
                assertThat(applier.commit(id, 1, plan, "t", term)).isInstanceOf(PlanApplier.Committed.class);
                net.jqwik.api.statistics.Statistics.label("groups").collect(plan.communication().groups().size());
            }
        }
        Map<String, Map<String, Set<Integer>>> portsByNodeAndJob = new HashMap<>();
        for (NodeRecord node : store.nodes()) {
            Set<Integer> hccl = new HashSet<>();
            for (ShardAssignment a : store.assignments(node.name()).shards()) {
                CommPlan job = store.job(a.jobId()).orElseThrow().placement().communication();
                assertThat(a.comm()).isEqualTo(job.forNode(node.name()));
                assertThat(a.masterPort()).isEqualTo(job.worldPort());
                List<Integer> ports = CommPorts.ports(job);
                assertThat(new HashSet<>(ports)).as("a job's ports are distinct").hasSameSizeAs(ports);
                portsByNodeAndJob.computeIfAbsent(node.name(), k -> new HashMap<>()).put(a.jobId(), new HashSet<>(ports));
                boolean labelled = node.labels().containsKey("nic");
                assertThat(a.comm().interfaceEnv(node.name()).get("GLOO_SOCKET_IFNAME"))
                        .isEqualTo(labelled ? "ib0" : null);
                String base = WorkerEnvironment.of(a, "/w").get("HCCL_IF_BASE_PORT");
                if (base != null) {
                    int p = Integer.parseInt(base);
                    for (int q = p; q < p + WorkerEnvironment.HCCL_PORT_STRIDE; q++) {
                        assertThat(hccl.add(q)).as("HCCL port %d on %s used twice", q, node.name()).isTrue();
                    }
                }
            }
        }
        portsByNodeAndJob.forEach((node, byJob) -> {
            Set<Integer> all = new HashSet<>();
            byJob.forEach((job, ports) -> ports.forEach(p ->
                    assertThat(all.add(p)).as("port %d on %s given to two jobs", p, node).isTrue()));
        });
    }

    /** Each job: {shards min, extra, devicesPerShard, minVendors}. */
    @Provide
    Arbitrary<List<int[]>> jobs() {
        return Arbitraries.integers().between(1, 4).flatMap(min -> Arbitraries.integers().between(0, 6).flatMap(extra ->
                Arbitraries.integers().between(1, 2).flatMap(dps -> Arbitraries.integers().between(1, 3)
                        .map(v -> new int[] {min, extra, dps, v})))).list().ofMinSize(2).ofMaxSize(10);
    }

    /** Each node: {chip, devices}. */
    @Provide
    Arbitrary<List<int[]>> fleets() {
        return Arbitraries.integers().between(0, CHIPS.size() - 1).flatMap(chip -> Arbitraries.integers().between(1, 8)
                .map(d -> new int[] {chip, d})).list().ofMinSize(1).ofMaxSize(6);
    }

    private static JobSpec spec(String id, int[] j) {
        return new JobSpecParser(CATALOG).parse(("name: " + id + "\ncommand: [w]\nshards: {min: " + j[0] + ", max: "
                + (j[0] + j[1]) + "}\ndevicesPerShard: " + j[2] + "\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\n"
                + "globalBatch: 64\nvendorPolicy: {minVendors: " + j[3] + "}\n").getBytes(StandardCharsets.UTF_8),
                "application/yaml");
    }

    private static void node(ClusterStore store, String name, String chip, int devices, boolean labelled) {
        List<DeviceReport> d = new ArrayList<>();
        for (int i = 0; i < devices; i++) {
            d.add(DeviceReport.basic(i, name + i, chip, chip, 96, true, null));
        }
        Map<String, String> labels = labelled ? Map.of("nic", "ib0", "nicIp", "10.1.0.7") : Map.of();
        store.updateNode(name, old -> new NodeRecord(name, "127.0.0.1", labels, d, NodeState.READY, "t", 1, false));
    }
}
