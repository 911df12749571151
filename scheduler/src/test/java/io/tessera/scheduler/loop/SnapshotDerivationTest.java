package io.tessera.scheduler.loop;

import io.tessera.scheduler.state.LeaderClaims;
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
import io.tessera.scheduler.placement.PlacementResult;
import io.tessera.scheduler.state.ClusterStore;
import io.tessera.scheduler.state.memory.InMemoryClusterStore;
import io.tessera.scheduler.state.PlanApplier;
import io.tessera.scheduler.state.SnapshotBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The snapshot a pass derives after each commit ({@link ClusterSnapshot#minus}) is exactly the
 * snapshot a full rebuild from the committed state gives, over thousands of random commits on
 * random fleets (in-memory store, seeded), fingerprint included.
 */
class SnapshotDerivationTest {
    private static final ChipCatalog CATALOG = ChipCatalog.builtIn();
    private static final List<String> CHIPS = List.of("nvidia-h20", "ascend-910b", "acme-tpx1", "nvidia-h100");

    @Test
    void aDerivedSnapshotEqualsAFullRebuildAfterEveryCommit() {
        Random random = new Random(20261201);
        int commits = 0;
        for (int fleet = 0; fleet < 40 && commits < 2000; fleet++) {
            ClusterStore store = new InMemoryClusterStore();
            for (int n = 0; n < 5 + random.nextInt(60); n++) {
                List<DeviceReport> devices = new ArrayList<>();
                int count = 1 + random.nextInt(8);
                for (int d = 0; d < count; d++) {
                    devices.add(DeviceReport.basic(d, "u" + n + "-" + d, CHIPS.get(random.nextInt(CHIPS.size())), "x", 96,
                            random.nextInt(10) > 0, null));
                }
                String name = "node-" + n;
                store.updateNode(name, old -> new NodeRecord(name, "10.0.0." + name.length(), Map.of("zone", "z" + random.nextInt(3)),
                        devices, random.nextInt(15) > 0 ? NodeState.READY : NodeState.LOST, "t", 1, random.nextInt(20) == 0));
            }
            LeaderClaims.LeaderClaim claim = store.claimLeadership("me");
            Term term = new Term("me", claim.epoch(), 0);
            PlanApplier applier = new PlanApplier(store, CATALOG);
            ClusterSnapshot snapshot = SnapshotBuilder.build(CATALOG, store.nodes(), store.allAssignments());
            for (int j = 0; j < 80; j++) {
                String id = "job-" + fleet + "-" + j;
                JobSpec spec = spec(random);
                store.insertJob(JobRecord.submitted(id, j, spec,
                        "alice", "2026-01-01T00:00:00Z"));
                PlacementResult r = new PlacementEngine().place(snapshot, id, spec, PlacementPolicy.DEFAULT);
                if (!(r instanceof PlacementResult.Plan plan)) {
                    continue;
                }
                assertThat(applier.commit(id, 1, plan, "t", term)).isInstanceOf(PlanApplier.Committed.class);
                ClusterSnapshot derived = snapshot.minus(plan);
                ClusterSnapshot rebuilt = SnapshotBuilder.build(CATALOG, store.nodes(), store.allAssignments());
                assertThat(derived.nodes()).isEqualTo(rebuilt.nodes());
                assertThat(derived.fingerprint()).isEqualTo(rebuilt.fingerprint());
                for (String chip : CHIPS) {
                    assertThat(derived.nodesWith(chip)).isEqualTo(rebuilt.nodesWith(chip));
                    assertThat(derived.maxFree(chip)).isEqualTo(rebuilt.maxFree(chip));
                }
                snapshot = derived;
                commits++;
            }
        }
        assertThat(commits).as("enough commits to mean something").isGreaterThan(500);
    }

    private static JobSpec spec(Random random) {
        int shards = 1 + random.nextInt(4);
        String chip = random.nextBoolean() ? "" : "chipTypes: [" + CHIPS.get(random.nextInt(CHIPS.size())) + "]\n";
        return new JobSpecParser(CATALOG).parse(("name: r\ncommand: [w]\nshards: " + shards + "\ndevicesPerShard: "
                + (1 + random.nextInt(4)) + "\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: " + (shards * 4) + "\n"
                + chip).getBytes(StandardCharsets.UTF_8), "application/yaml");
    }
}
