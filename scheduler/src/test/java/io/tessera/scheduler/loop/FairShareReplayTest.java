package io.tessera.scheduler.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpecParser;
import io.tessera.config.QueueSpec;
import io.tessera.config.wire.DeviceReport;
import io.tessera.config.wire.ShardPhase;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.leader.Term;
import io.tessera.scheduler.metrics.SchedulerMetrics;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.NodeState;
import io.tessera.scheduler.placement.PlacementEngine;
import io.tessera.scheduler.placement.PlacementPolicy;
import io.tessera.scheduler.policy.QueueUsage;
import io.tessera.scheduler.state.ClusterView;
import io.tessera.scheduler.state.InMemoryClusterStore;
import io.tessera.scheduler.state.PlanApplier;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two users on two queues (alice on {@code ml}, weight 2; bob on {@code batch}, weight 1) replay
 * 400 jobs of the Philly trace on a mixed fleet of 6 H20 and 6 Ascend 910B nodes, with the real
 * queue pass, lifecycle and commit path on the in-memory store and a virtual clock. Jobs alternate
 * between the two users. Arrivals are compressed 100-fold so both queues stay backlogged, and each
 * job runs its trace duration, capped at 2 hours as a cluster's run-time limit would cap it. While
 * both queues have jobs waiting, the normalized TFLOPS each holds is integrated over time:
 * {@code ml} must hold two thirds of it, within 5%.
 *
 * <p>The cap matters: fair share decides who gets capacity as it frees, and non-elastic jobs are
 * not preempted for fair share, so a job of several days that starts while its queue is below
 * its share holds its devices throughout. Uncapped ({@code -DargLine=-Dreplay.cap=9223372036854775807})
 * the trace's longest jobs run for 10 days and {@code ml} holds 0.52, not 0.67 (docs/queues.md).
 */
class FairShareReplayTest {
    private static final ChipCatalog CATALOG = ChipCatalog.builtIn();
    private static final long STEP_SEC = 5;
    private final InMemoryClusterStore store = new InMemoryClusterStore();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final ClusterView view = new ClusterView(store, CATALOG);
    private final PlanApplier applier = new PlanApplier(store, CATALOG);
    private final QueuePlacer placer = new QueuePlacer(store, view, new PlacementEngine(), applier,
            PlacementPolicy.DEFAULT, clock, new SchedulerMetrics());
    private final JobReconciler reconciler = new JobReconciler(store, view, applier, clock);

    private record TraceJob(long arriveSec, long durationSec, int gpus) {
    }

    @Test
    void twoQueuesHoldTheirWeightedSharesOfAMixedFleetOverATraceReplay() throws Exception {
        fleet();
        store.putQueue(new QueueSpec("ml", 2.0, null, null, null, List.of("alice"), null, null, null, null, null, null));
        store.putQueue(new QueueSpec("batch", 1.0, null, null, null, List.of("bob"), null, null, null, null, null, null));
        List<TraceJob> trace = trace();
        Map<String, Long> endsAt = new HashMap<>();
        Map<String, Long> durations = new HashMap<>();
        double mlHeld = 0;
        double batchHeld = 0;
        long measured = 0;
        int next = 0;
        long start = clock.millis();
        for (long t = 0; next < trace.size() || !endsAt.isEmpty() || anyQueued(); t += STEP_SEC) {
            while (next < trace.size() && trace.get(next).arriveSec() <= t) {
                TraceJob j = trace.get(next);
                String id = submit(next, next % 2 == 0 ? "ml" : "batch", next % 2 == 0 ? "alice" : "bob", j.gpus());
                durations.put(id, j.durationSec());
                next++;
            }
            finishDue(endsAt, t);
            pass();
            for (JobRecord j : store.jobs()) {
                if (j.state().active() && !endsAt.containsKey(j.id())) {
                    endsAt.put(j.id(), t + durations.get(j.id()));
                }
            }
            QueueUsage u = QueueUsage.of(store.jobs(), CATALOG);
            if (u.pending().getOrDefault("ml", 0) > 0 && u.pending().getOrDefault("batch", 0) > 0) {
                mlHeld += u.of("ml").tflops() * STEP_SEC;
                batchHeld += u.of("batch").tflops() * STEP_SEC;
                measured += STEP_SEC;
            }
            clock.advance(Duration.ofSeconds(STEP_SEC));
            if (t > 2_000_000) {
                throw new AssertionError("the replay did not end: " + store.jobs().stream()
                        .filter(j -> j.state() == JobState.QUEUED).count() + " jobs still queued");
            }
        }
        double share = mlHeld / (mlHeld + batchHeld);
        System.out.printf("trace replay: %d jobs, %d s of virtual time, %d s with both queues backlogged; "
                + "ml (weight 2) held %.4f of the normalized TFLOPS held, target %.4f%n", trace.size(),
                (clock.millis() - start) / 1000, measured, share, 2 / 3.0);
        assertThat(measured).as("both queues were backlogged for a while").isGreaterThan(3600);
        assertThat(share).isCloseTo(2 / 3.0, org.assertj.core.data.Offset.offset(0.05 * 2 / 3.0));
        assertThat(store.jobs()).allMatch(j -> j.state() == JobState.SUCCEEDED);
    }

    private void fleet() {
        for (String chip : List.of("nvidia-h20", "ascend-910b")) {
            for (int n = 0; n < 6; n++) {
                String name = chip + "-" + n;
                List<DeviceReport> d = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    d.add(DeviceReport.basic(i, name + i, chip, chip, 64, true, null));
                }
                store.updateNode(name, old -> new NodeRecord(name, "10.0.0.1", Map.of(), d, NodeState.READY, "t", 1, false));
            }
        }
    }

    private static List<TraceJob> trace() throws Exception {
        List<TraceJob> out = new ArrayList<>();
        DateTimeFormatter f = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                FairShareReplayTest.class.getResourceAsStream("/traces/philly-sample.csv"), StandardCharsets.UTF_8))) {
            Long first = null;
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith("#") || line.startsWith("timestamp")) {
                    continue;
                }
                String[] c = line.split(",");
                long at = LocalDateTime.parse(c[0], f).toEpochSecond(ZoneOffset.UTC);
                first = first == null ? at : first;
                long cap = Long.getLong("replay.cap", 7200);
                out.add(new TraceJob((at - first) / Long.getLong("replay.compress", 100),
                        Math.min(cap, (long) Double.parseDouble(c[1])), Integer.parseInt(c[2])));
            }
        }
        return out;
    }

    private String submit(int i, String queue, String owner, int gpus) {
        String id = String.format("job-%04d", i);
        store.insertJob(new JobRecord(id, i + 1, new JobSpecParser(CATALOG).parse(("name: t\nqueue: " + queue
                + "\ncommand: [w]\nshards: 1\ndevicesPerShard: " + gpus + "\nflopsPerSample: 1e12\n"
                + "memoryPerShardGiB: 1\nglobalBatch: 64\n").getBytes(StandardCharsets.UTF_8), "application/yaml"),
                JobState.QUEUED, false, clock.instant().toString(), 1, 0, null,
                List.of(new JobEvent(clock.instant().toString(), "SUBMITTED", "")), null, owner, 0));
        return id;
    }

    /** Reports every shard of each job whose time is up as exited 0, so the lifecycle finishes it. */
    private void finishDue(Map<String, Long> endsAt, long t) {
        for (Map.Entry<String, Long> e : new ArrayList<>(endsAt.entrySet())) {
            if (e.getValue() <= t) {
                JobRecord j = store.job(e.getKey()).orElseThrow();
                List<ShardReport> r = new ArrayList<>();
                j.placement().shards().forEach(s -> r.add(new ShardReport(j.id(), s.shard(), j.attempt(),
                        ShardPhase.EXITED, 0, 1L, 1L, 1L, null, null, null)));
                store.recordShardReports(r);
                view.invalidate(List.of(), List.of(j.id()));
                endsAt.remove(e.getKey());
            }
        }
    }

    private boolean anyQueued() {
        return store.jobs().stream().anyMatch(j -> j.state() == JobState.QUEUED);
    }

    private Term term;

    private void pass() {
        if (term == null) {
            term = new Term("me", store.claimLeadership("me").epoch(), 0);
        }
        view.refresh();
        reconciler.reconcileChanged();
        view.refresh();
        placer.placeQueued(term);
    }
}
