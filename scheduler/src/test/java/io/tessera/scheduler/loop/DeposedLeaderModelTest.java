package io.tessera.scheduler.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.scheduler.events.SchedulerEvents;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The fencing model: two leaders over one store. The first claims a term, the second claims a
 * later one, and from then on both run whole scheduling passes, interleaved at random with what
 * agents and users do (submissions, progress and exits, heartbeats stopping and resuming, cancels,
 * time passing) over thousands of operations. The deposed leader still believes it leads (a long
 * GC pause, a partition): it decides placements, evictions, node losses, lifecycle transitions,
 * re-splits, waiting notes, profile updates and history moves. None of it may land: the whole
 * store, history included, is the same after each of its passes as before. After every step the
 * store stays consistent (no device held twice; every held device belongs to an active job; every
 * active job holds its plan).
 */
class DeposedLeaderModelTest {
    private final ModelFleet fleet = new ModelFleet();
    /** Each kind of write the deposed leader landed (ids left out), with where it first did. */
    private final Map<String, String> landed = new TreeMap<>();
    /** What each loop's applier did, by kind and outcome ({@code place/fenced}, ...). */
    private final Map<String, Map<String, Integer>> outcomes = new TreeMap<>();

    private SchedulerEvents recording(String member) {
        Map<String, Integer> counts = outcomes.computeIfAbsent(member, m -> new TreeMap<>());
        return new SchedulerEvents() {
            @Override
            public void placement(long nanos, String outcome, List<String> vetoReasons) {
            }

            @Override
            public void queueWait(double seconds) {
            }

            @Override
            public void heartbeat() {
            }

            @Override
            public void nodeLost() {
            }

            @Override
            public void leaderChange(String kind, String outcome) {
                counts.merge(kind + "/" + outcome, 1, Integer::sum);
            }
        };
    }

    private SchedulingLoop loop(String member) {
        return fleet.loop(member, recording(member), BlockedSet.remembering());
    }

    @Test
    void nothingTheDeposedLeaderDecidesEverLands() {
        Map<String, Integer> deposed = new TreeMap<>();
        Map<String, Integer> leader = new TreeMap<>();
        for (long seed : new long[] {1, 2, 3, 4}) {
            DeposedLeaderModelTest model = new DeposedLeaderModelTest();
            model.run(seed, 1_500);
            model.outcomes.get("member-old").forEach((k, n) -> deposed.merge(k, n, Integer::sum));
            model.outcomes.get("member-new").forEach((k, n) -> leader.merge(k, n, Integer::sum));
        }
        System.out.println("deposed leader's changes: " + deposed);
        System.out.println("leader's changes: " + leader);
        // The deposed leader decided every kind of change, and every one was refused by the fence.
        assertThat(deposed.keySet()).allMatch(k -> k.endsWith("/fenced"));
        // (Elastic regrowth is rarer and not required here: it takes the same fenced path as a placement.)
        assertThat(deposed.keySet()).contains("place/fenced", "evict/fenced", "node_lost/fenced", "transition/fenced",
                "note/fenced", "estimated_starts/fenced", "profile/fenced", "history_move/fenced", "resplit/fenced", "fleet_sample/fenced");
        assertThat(leader).containsKeys("place/applied", "evict/applied", "node_lost/applied", "transition/applied",
                "note/applied", "profile/applied", "history_move/applied", "resplit/applied", "fleet_sample/applied");
    }

    private void run(long seed, int steps) {
        Random random = new Random(seed);
        SchedulingLoop deposed = loop("member-old");
        deposed.pass(); // claims the first term
        SchedulingLoop leader = loop("member-new");
        leader.pass();  // claims a later one: from here on the first member is deposed
        outcomes.values().forEach(Map::clear); // the first member's first pass was a leader's
        int deposedPasses = 0;
        for (int i = 0; i < steps; i++) {
            int op = random.nextInt(100);
            String what;
            if (op < 63) {
                what = fleet.act(op, random);
            } else if (op < 82) {
                what = "deposed pass";
                ModelFleet.Snapshot before = fleet.snapshot();
                deposed.pass();
                deposedPasses++;
                for (String d : before.differences(fleet.snapshot())) {
                    landed.putIfAbsent(d.replaceAll("job-[0-9]+|n[0-9]+|m[0-9]+", "#"), "seed " + seed + " step " + i + ": " + d);
                }
            } else {
                what = "leader pass";
                leader.pass();
            }
            fleet.assertConsistent("seed " + seed + " step " + i + " (" + what + ")");
        }
        assertThat(deposedPasses).isGreaterThan(steps / 10);
        assertThat(landed).as("kinds of write the deposed leader landed, each with its first occurrence").isEmpty();
    }
}
