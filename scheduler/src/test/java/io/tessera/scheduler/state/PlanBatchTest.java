package io.tessera.scheduler.state;

import io.tessera.scheduler.state.memory.InMemoryClusterStore;
import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.scheduler.model.EventType;
import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpec;
import io.tessera.config.JobSpecParser;
import io.tessera.config.wire.DeviceReport;
import io.tessera.scheduler.leader.Term;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.NodeState;
import io.tessera.scheduler.placement.ClusterSnapshot;
import io.tessera.scheduler.placement.PlacementEngine;
import io.tessera.scheduler.placement.PlacementPolicy;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Several plans in one transaction ({@link PlanApplier#commitAll}): each is checked against live
 * state and against the plans before it, a conflicting one is left out while the others commit,
 * each node's set is written once with one version step, and a fenced term commits none.
 */
class PlanBatchTest {
    private static final ChipCatalog CATALOG = ChipCatalog.builtIn();
    private final ClusterStore store = new InMemoryClusterStore();
    private final PlanApplier applier = new PlanApplier(store, CATALOG);

    @Test
    void plansOnDisjointDevicesCommitTogetherAndATakenDeviceConflictsAlone() {
        node("n1", 4);
        Term term = new Term("me", store.claimLeadership("me").epoch(), 0);
        ClusterSnapshot snapshot = SnapshotBuilder.build(CATALOG, store.nodes(), store.allAssignments());
        Plan a = plan("a", snapshot);
        Plan b = plan("b", snapshot.minus(a));
        Plan again = plan("c", snapshot); // planned on the old snapshot: wants a's devices
        List<PlanApplier.Outcome> out = applier.commitAll(List.of(new PlanApplier.Proposal("a", 1, a),
                new PlanApplier.Proposal("b", 1, b), new PlanApplier.Proposal("c", 1, again)), "t", term);
        assertThat(out.get(0)).isInstanceOf(PlanApplier.Committed.class);
        assertThat(out.get(1)).isInstanceOf(PlanApplier.Committed.class);
        assertThat(out.get(2)).isInstanceOf(PlanApplier.Conflict.class);
        assertThat(((PlanApplier.Conflict) out.get(2)).reason()).contains("was taken meanwhile");
        assertThat(store.assignments("n1").shards()).hasSize(2);
        assertThat(store.assignments("n1").version()).as("one write per node per transaction").isEqualTo(1);
        assertThat(store.job("a").orElseThrow().state()).isEqualTo(JobState.PLACED);
        assertThat(store.job("c").orElseThrow().state()).isEqualTo(JobState.QUEUED);
    }

    @Test
    void aCancelledJobIsLeftOutAndAFencedTermCommitsNothing() {
        node("n1", 6);
        Term term = new Term("me", store.claimLeadership("me").epoch(), 0);
        ClusterSnapshot snapshot = SnapshotBuilder.build(CATALOG, store.nodes(), store.allAssignments());
        Plan a = plan("a", snapshot);
        Plan b = plan("b", snapshot.minus(a));
        store.updateJob("a", JobRecord::withCancelRequested);
        List<PlanApplier.Outcome> out = applier.commitAll(List.of(new PlanApplier.Proposal("a", 1, a),
                new PlanApplier.Proposal("b", 1, b)), "t", term);
        assertThat(out.get(0)).isInstanceOf(PlanApplier.Conflict.class);
        assertThat(out.get(1)).isInstanceOf(PlanApplier.Committed.class);
        Plan c = plan("c", snapshot.minus(a).minus(b));
        store.claimLeadership("other");
        assertThat(applier.commitAll(List.of(new PlanApplier.Proposal("c", 1, c)), "t", term).get(0))
                .isInstanceOf(PlanApplier.Conflict.class);
        assertThat(store.job("c").orElseThrow().state()).isEqualTo(JobState.QUEUED);
    }

    /**
     * Regression: two agents on one host (the demo's, a test cluster's) are two nodes with one
     * address, and the ports of jobs on them were chosen per node: two jobs whose port blocks hash
     * to the same slot got one rendezvous port, and the second job's rank 0 failed to bind it
     * (SimulationFidelityTest's "worker failure" in CI) or, worse, its ranks could have joined the
     * other job. Ports are now chosen away from every job on the host.
     */
    @Test
    void jobsOnTwoNodesOfOneHostGetDifferentRendezvousPorts() {
        node("n1", 2);
        node("n2", 2);
        String[] ids = collidingIds();
        ClusterView view = new ClusterView(store, CATALOG);
        view.refresh();
        assertThat(view.sameHost("n1")).containsExactly("n2");
        PlanApplier hostAware = new PlanApplier(store, CATALOG, null, PlanApplier.Observer.NONE, view::sameHost);
        Term term = new Term("me", store.claimLeadership("me").epoch(), 0);
        ClusterSnapshot snapshot = SnapshotBuilder.build(CATALOG, store.nodes(), store.allAssignments());
        Plan a = plan(ids[0], snapshot);
        Plan b = plan(ids[1], snapshot.minus(a));
        assertThat(a.shards().get(0).node()).isNotEqualTo(b.shards().get(0).node());
        assertThat(hostAware.commitAll(List.of(new PlanApplier.Proposal(ids[0], 1, a)), "t", term).get(0))
                .isInstanceOf(PlanApplier.Committed.class);
        assertThat(hostAware.commitAll(List.of(new PlanApplier.Proposal(ids[1], 1, b)), "t", term).get(0))
                .isInstanceOf(PlanApplier.Committed.class);
        int portA = store.assignments(a.shards().get(0).node()).shards().get(0).masterPort();
        int portB = store.assignments(b.shards().get(0).node()).shards().get(0).masterPort();
        assertThat(portA).as("jobs %s and %s hash to one port block", ids[0], ids[1]).isNotEqualTo(portB);
    }

    /**
     * Regression: a commit applied every plan before any other change, whatever their order, so in
     * one commit of a whole pass a job placed on the devices a finished job released earlier in the
     * same pass conflicted ("was taken meanwhile"). Changes apply in order.
     */
    @Test
    void aPlanOnDevicesAnEarlierTransitionOfTheSameCommitFreedCommits() {
        node("n1", 2);
        Term term = new Term("me", store.claimLeadership("me").epoch(), 0);
        ClusterSnapshot snapshot = SnapshotBuilder.build(CATALOG, store.nodes(), store.allAssignments());
        Plan a = plan("a", snapshot);
        assertThat(applier.commitAll(List.of(new PlanApplier.Proposal("a", 1, a)), "t", term).get(0))
                .isInstanceOf(PlanApplier.Committed.class);
        JobRecord placed = store.job("a").orElseThrow();
        Plan b = plan("b", snapshot); // the devices a holds, as a pass that saw a finish would plan
        List<PlanApplier.Outcome> out = applier.commit(term, "t", List.of(
                new Change.Transition(placed, placed.withState(JobState.SUCCEEDED), true, false),
                new Change.Place("b", 1, b)));
        assertThat(out).allMatch(o -> o instanceof PlanApplier.Committed);
        assertThat(store.job("b").orElseThrow().state()).isEqualTo(JobState.PLACED);
        assertThat(store.assignments("n1").shards()).extracting(sa -> sa.jobId()).containsExactly("b");
    }

    /** A simulated fleet of many nodes at one address (the load harness's) is not read whole at each commit. */
    @Test
    void aHostWithMoreAgentsThanAnyRealOneHasNoPeers() {
        for (int i = 0; i <= ClusterView.MAX_AGENTS_PER_HOST; i++) {
            node("n" + i, 1);
        }
        ClusterView view = new ClusterView(store, CATALOG);
        view.refresh();
        assertThat(view.sameHost("n0")).isEmpty();
        store.updateNode("n0", old -> new NodeRecord("n0", "10.0.0.9", Map.of(), old.orElseThrow().devices(),
                NodeState.READY, "t", 1, false));
        view.invalidate(List.of("n0"), List.of());
        view.refresh();
        assertThat(view.sameHost("n1")).as("64 agents left at 10.0.0.1").hasSize(ClusterView.MAX_AGENTS_PER_HOST - 1);
        assertThat(view.sameHost("n0")).as("alone at its address").isEmpty();
    }

    /** Two job ids whose first port blocks are the same slot (for a one-shard job at attempt 1). */
    private static String[] collidingIds() {
        Map<Integer, String> seen = new HashMap<>();
        for (int i = 0; ; i++) {
            String id = "x" + i;
            String other = seen.putIfAbsent(CommPorts.blockStart(id, 1, 2, Set.of()), id);
            if (other != null) {
                return new String[] {other, id};
            }
        }
    }

    private Plan plan(String id, ClusterSnapshot snapshot) {
        JobSpec spec = new JobSpecParser(CATALOG).parse(("name: " + id + "\ncommand: [w]\nshards: 1\ndevicesPerShard: 2\n"
                + "flopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 4\n").getBytes(StandardCharsets.UTF_8), "application/yaml");
        if (store.job(id).isEmpty()) {
            store.insertJob(JobRecord.submitted(id, id.charAt(0), spec,
                    "alice", "2026-01-01T00:00:00Z"));
        }
        return (Plan) new PlacementEngine().place(snapshot, id, spec, PlacementPolicy.DEFAULT);
    }

    private void node(String name, int devices) {
        List<DeviceReport> d = new ArrayList<>();
        for (int i = 0; i < devices; i++) {
            d.add(DeviceReport.basic(i, name + i, "nvidia-h20", "H20", 96, true, null));
        }
        store.updateNode(name, old -> new NodeRecord(name, "10.0.0.1", Map.of(), d, NodeState.READY, "t", 1, false));
    }
}
