package io.tessera.scheduler.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.scheduler.events.SchedulerEvents;
import io.tessera.scheduler.model.JobRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The blocked set only saves work: a loop that remembers which jobs were blocked on the fleet as it
 * was (and tries them again only once it changes) decides exactly what a loop that tries every
 * job on every pass decides. Two identical fleets are driven by the same random operations, one
 * scheduled with {@link BlockedSet#remembering()}, the other with {@link BlockedSet#forgetting()};
 * after every step their stores must hold the same jobs (state, attempt, plan), assignments and
 * reservations. The remembering loop must also have skipped work, or the test
 * proves nothing.
 */
class BlockedSetPropertyTest {

    @Test
    void rememberingBlockedJobsChangesNoDecisionAgainstRetryingEveryPass() {
        int skipped = 0;
        for (long seed : new long[] {11, 12, 13}) {
            skipped += run(seed, 1_200);
        }
        assertThat(skipped).as("passes in which the remembering loop held jobs it did not try again").isPositive();
    }

    /** Runs one seed; how many passes the remembering loop had jobs blocked in its set. */
    private static int run(long seed, int steps) {
        ModelFleet remembering = new ModelFleet();
        ModelFleet forgetting = new ModelFleet();
        BlockedSet blocked = BlockedSet.remembering();
        SchedulingLoop a = remembering.loop("m", SchedulerEvents.NONE, blocked);
        SchedulingLoop b = forgetting.loop("m", SchedulerEvents.NONE, BlockedSet.forgetting());
        Random random = new Random(seed);
        int held = 0;
        for (int i = 0; i < steps; i++) {
            int op = random.nextInt(100);
            String what;
            if (op < 63) {
                long opSeed = random.nextLong();
                what = remembering.act(op, new Random(opSeed));
                forgetting.act(op, new Random(opSeed));
            } else {
                what = "pass";
                a.pass();
                b.pass();
                held += blocked.size(BlockedSet.Trial.PLACEMENT) > 0 ? 1 : 0;
            }
            Map<String, Object> mine = decisions(remembering);
            Map<String, Object> reference = decisions(forgetting);
            List<String> differ = new ArrayList<>();
            reference.forEach((k, v) -> {
                if (!v.equals(mine.get(k))) {
                    differ.add(k + ": remembering " + mine.get(k) + ", every pass " + v);
                }
            });
            mine.keySet().stream().filter(k -> !reference.containsKey(k)).forEach(k -> differ.add(k + " only remembering"));
            assertThat(differ).as("seed %d step %d (%s): where the remembering loop decided otherwise", seed, i, what)
                    .isEmpty();
        }
        return held;
    }

    /**
     * What the scheduler decided, as seen in the store: per job its state, attempt and plan; the
     * assignments (with stop requests); the reservations' predicted starts. Not the waiting notes: a
     * job blocked on an unchanged fleet keeps the note it had (that is the work saved), so a job that
     * preempted keeps "preempting" where a pass that tries it again writes "reserved".
     */
    private static Map<String, Object> decisions(ModelFleet fleet) {
        Map<String, Object> out = new TreeMap<>();
        for (JobRecord j : fleet.store.jobs()) {
            out.put(j.id(), List.of(j.state(), j.attempt(), j.restarts(), String.valueOf(j.placement())));
        }
        List<String> sets = new ArrayList<>();
        fleet.store.allAssignments().forEach((node, set) -> set.shards().forEach(s -> sets.add(node + ":" + s.jobId()
                + "/" + s.shard() + "@" + s.attempt() + s.devices() + " port " + s.masterPort() + " stop " + s.stopGraceMs())));
        sets.sort(null);
        out.put("~assignments", sets);
        List<String> starts = new ArrayList<>();
        fleet.store.jobs().forEach(j -> fleet.store.estimatedStart(j.id()).ifPresent(at -> starts.add(j.id() + "@" + at)));
        starts.sort(null);
        out.put("~estimatedStarts", starts);
        return out;
    }
}
