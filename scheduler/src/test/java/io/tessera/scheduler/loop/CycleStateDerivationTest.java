package io.tessera.scheduler.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.scheduler.events.SchedulerEvents;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.placement.ClusterSnapshot;
import io.tessera.scheduler.state.ClusterView;
import io.tessera.scheduler.state.PlanApplier;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A pass decides each stage on the state the stages before it leave, derived in memory
 * ({@link CycleState#after}), and commits once at its end. The derivation must be what the view
 * holds once those changes commit and it refreshes, or a later stage decides on a cluster that
 * is not there. Over a model fleet driven at random (submissions, progress and exits, nodes going
 * silent and back, cancels, time passing), after every pass whose changes all committed, the
 * pass's final derived state is compared with a view refreshed from the store: every job's
 * state, attempt and devices, the queue in order, the lost nodes, every node's state, and every
 * node's free devices in the snapshot.
 */
class CycleStateDerivationTest {
    @Test
    void whatAPassDerivesIsWhatItsCommitLeaves() {
        Map<String, Integer> derivedKinds = new TreeMap<>();
        int compared = 0;
        for (long seed : new long[] {11, 12, 13}) {
            ModelFleet fleet = new ModelFleet();
            ClusterView fresh = new ClusterView(fleet.store, ModelFleet.CATALOG);
            fresh.rebuild();
            int[] passes = {0};
            SchedulingLoop loop = fleet.loop("m", SchedulerEvents.NONE, BlockedSet.remembering())
                    .withCycleObserver((result, outcomes) -> {
                        if (outcomes.isEmpty() || !outcomes.stream().allMatch(o -> o instanceof PlanApplier.Committed)) {
                            return; // the derivation assumes every change lands; a refused one is re-read next pass
                        }
                        fresh.refresh();
                        assertThat(seen(result.state())).as("seed %d, pass %d: derived, then committed and re-read",
                                seed, passes[0]).isEqualTo(seen(CycleState.of(fresh)));
                        result.decision().changes().forEach(c -> derivedKinds.merge(c.kind().name(), 1, Integer::sum));
                        passes[0]++;
                    });
            Random random = new Random(seed);
            for (int i = 0; i < 1_500; i++) {
                int op = random.nextInt(100);
                if (op < 63) {
                    fleet.act(op, random);
                } else {
                    loop.pass();
                }
            }
            compared += passes[0];
        }
        System.out.println("passes compared: " + compared + "; changes in them by kind: " + derivedKinds);
        assertThat(compared).isGreaterThan(300);
        assertThat(derivedKinds).containsKeys("PLACE", "TRANSITION", "NODE_LOST", "EVICT", "HISTORY_MOVE", "RESPLIT");
    }

    /** What the later stages read of a state, in comparable form. */
    record Seen(Map<String, String> jobs, List<String> queued, Set<String> lost, Map<String, String> nodes,
                Map<String, String> free) {
    }

    static Seen seen(CycleState s) {
        Map<String, String> jobs = new TreeMap<>();
        for (JobRecord j : s.jobs()) {
            String devices = j.placement() == null ? "-" : j.placement().shards().stream()
                    .map(sh -> sh.node() + sh.devices()).collect(Collectors.joining(" "));
            jobs.put(j.id(), j.state() + " attempt " + j.attempt() + " on " + devices);
        }
        Map<String, String> nodes = new TreeMap<>();
        for (NodeRecord n : s.nodes()) {
            nodes.put(n.name(), n.state().name());
        }
        return new Seen(jobs, s.queued().stream().map(JobRecord::id).toList(), new TreeSet<>(s.lostNodes()), nodes,
                free(s.snapshot()));
    }

    private static Map<String, String> free(ClusterSnapshot snapshot) {
        Map<String, String> out = new TreeMap<>();
        snapshot.nodes().forEach(n -> out.put(n.name(), new TreeMap<>(n.freeDevices()).toString()));
        return out;
    }
}
