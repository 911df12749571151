package io.tessera.scheduler.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.scheduler.model.EventType;
import java.util.Objects;
import java.util.TreeSet;

import io.tessera.config.ChipCatalog;
import io.tessera.config.ElasticConfig;
import io.tessera.config.JobSpecParser;
import io.tessera.config.wire.AssignmentSet;
import io.tessera.config.wire.DeviceReport;
import io.tessera.config.wire.ShardAssignment;
import io.tessera.config.wire.ShardPhase;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.events.SchedulerEvents;
import io.tessera.scheduler.leader.Leadership;
import io.tessera.scheduler.leader.Term;
import io.tessera.scheduler.model.FleetUsage;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.NodeState;
import io.tessera.scheduler.model.ThroughputProfile;
import io.tessera.scheduler.placement.PlacementEngine;
import io.tessera.scheduler.placement.PlacementPolicy;
import io.tessera.scheduler.placement.ShardPlan;
import io.tessera.scheduler.sim.VirtualClock;
import io.tessera.scheduler.state.ClusterView;
import io.tessera.scheduler.state.memory.InMemoryClusterStore;
import io.tessera.scheduler.state.memory.InMemoryJobHistory;
import io.tessera.scheduler.state.JobHistory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * A small mixed fleet over the in-memory store, driven at random as agents and users would drive
 * it (submissions, progress and exits, heartbeats stopping and resuming, cancels, time passing),
 * for model tests of whole scheduling loops. The same seed drives two fleets alike.
 */
final class ModelFleet {
    static final ChipCatalog CATALOG = ChipCatalog.builtIn();
    static final ElasticConfig ELASTIC = new ElasticConfig(0.05, 2_000L, 0.10, 0.05, 0.3);
    static final long TIMEOUT_MS = 15_000;
    final InMemoryClusterStore store = new InMemoryClusterStore();
    final JobHistory history = new InMemoryJobHistory(100_000);
    final VirtualClock clock = new VirtualClock(Instant.parse("2026-12-01T00:00:00Z"));
    private final Set<String> silent = new HashSet<>();
    private int seq;

    ModelFleet() {
        fleet();
    }

    /** A whole scheduling loop over this fleet's store, as {@code member}. */
    SchedulingLoop loop(String member, SchedulerEvents events, BlockedSet blocked) {
        return loop(member, events, blocked, () -> true);
    }

    /** A whole scheduling loop over this fleet's store, as {@code member}, leading while {@code leads} says so. */
    SchedulingLoop loop(String member, SchedulerEvents events, BlockedSet blocked, Leadership leads) {
        ClusterView view = new ClusterView(store, CATALOG);
        return new LoopAssembly(store, view, new PlacementEngine(), PlacementPolicy.DEFAULT, clock, events, ELASTIC,
                history, 5_000, 60_000)
                .loop(leads, new NodeLivenessSweep(store, view, clock, TIMEOUT_MS, SchedulerEvents.NONE),
                        () -> new Term(member, store.claimLeadership(member).epoch(), clock.millis()),
                        Long.MAX_VALUE / 4, () -> 0L, blocked)
                .withResyncEvery(Long.MAX_VALUE / 4);
    }

    /** One thing agents or users do, chosen by {@code op} in [0, 63), drawing from {@code random}; what it was. */
    String act(int op, Random random) {
        if (op < 10) {
            return "submit " + submit(random);
        } else if (op < 35) {
            agentsReport(random);
            return "agents report";
        } else if (op < 45) {
            heartbeats();
            return "heartbeats";
        } else if (op < 50) {
            flipNode(random);
            return "node silence flips";
        } else if (op < 60) {
            clock.advance(Duration.ofMillis(500 + random.nextInt(12_000)));
            heartbeats(); // agents that still talk heartbeat far more often than the timeout
            return "time passes";
        }
        cancelOne(random);
        return "cancel";
    }

    /** Everything the store and the history hold, compared whole. */
    record Snapshot(Map<String, JobRecord> jobs, Map<String, NodeRecord> nodes, Map<String, AssignmentSet> sets,
                    Map<String, Map<Integer, ShardReport>> reports, Map<String, String> estimates,
                    Map<String, ThroughputProfile> profiles, List<JobRecord> history, FleetUsage fleet) {
        /** What differs in {@code after}, one line per entity: empty when nothing does. */
        List<String> differences(Snapshot after) {
            List<String> out = new ArrayList<>();
            diff("job", jobs, after.jobs, out);
            diff("node", nodes, after.nodes, out);
            diff("assignments of", sets, after.sets, out);
            diff("shard reports of", reports, after.reports, out);
            diff("estimated start of", estimates, after.estimates, out);
            diff("profile", profiles, after.profiles, out);
            Map<String, JobRecord> h0 = new TreeMap<>();
            Map<String, JobRecord> h1 = new TreeMap<>();
            history.forEach(j -> h0.put(j.id(), j));
            after.history.forEach(j -> h1.put(j.id(), j));
            diff("history entry", h0, h1, out);
            diff("fleet usage", Map.of("series", fleet), Map.of("series", after.fleet), out);
            return out;
        }

        private static <V> void diff(String what, Map<String, V> a, Map<String, V> b, List<String> out) {
            Set<String> keys = new TreeSet<>(a.keySet());
            keys.addAll(b.keySet());
            for (String k : keys) {
                if (!Objects.equals(a.get(k), b.get(k))) {
                    out.add(what + " " + k + (a.containsKey(k) ? b.containsKey(k) ? " changed" + summary(a.get(k), b.get(k))
                            : " deleted" : " written"));
                }
            }
        }

        private static String summary(Object before, Object after) {
            if (before instanceof JobRecord x && after instanceof JobRecord y) {
                return ": " + x.state() + " -> " + y.state() + (y.events().size() > x.events().size()
                        ? ", event " + y.events().get(y.events().size() - 1).type() : "");
            }
            if (before instanceof NodeRecord x && after instanceof NodeRecord y) {
                return ": " + x.state() + " -> " + y.state();
            }
            return "";
        }
    }

    Snapshot snapshot() {
        Map<String, JobRecord> jobs = new TreeMap<>();
        Map<String, Map<Integer, ShardReport>> reports = new TreeMap<>();
        Map<String, String> estimates = new TreeMap<>();
        for (int n = 1; n <= seq; n++) {
            String id = "job-" + n;
            store.job(id).ifPresent(j -> jobs.put(id, j));
            reports.put(id, new TreeMap<>(store.shardReports(id, 16)));
            store.estimatedStart(id).ifPresent(at -> estimates.put(id, at));
        }
        Map<String, NodeRecord> nodes = new TreeMap<>();
        store.nodes().forEach(n -> nodes.put(n.name(), n));
        Map<String, AssignmentSet> sets = new TreeMap<>(store.allAssignments());
        return new Snapshot(jobs, nodes, sets, reports, estimates, store.profiles().all(),
                history.page(new JobHistory.Query(null, null, null, null, 1_000_000)), store.telemetry().fleet());
    }

    /** No device held twice; every held device belongs to an active job; every placed or running job holds its plan. */
    void assertConsistent(String where) {
        Set<String> held = new HashSet<>();
        Map<String, JobRecord> jobs = new HashMap<>();
        store.jobs().forEach(j -> jobs.put(j.id(), j));
        for (AssignmentSet set : store.allAssignments().values()) {
            for (ShardAssignment a : set.shards()) {
                JobRecord job = jobs.get(a.jobId());
                assertThat(job).as("%s: %s holds devices on %s but is gone", where, a.jobId(), set.node()).isNotNull();
                assertThat(job.state().active()).as("%s: %s holds devices on %s in state %s", where, a.jobId(),
                        set.node(), job.state()).isTrue();
                for (int d : a.devices()) {
                    assertThat(held.add(set.node() + "/" + d)).as("%s: device %d of %s held twice", where, d, set.node())
                            .isTrue();
                }
            }
        }
        for (JobRecord job : jobs.values()) {
            if (job.state() == JobState.PLACED || job.state() == JobState.RUNNING) {
                for (ShardPlan s : job.placement().shards()) {
                    assertThat(store.assignments(s.node()).shards()).as("%s: %s's shard %d is missing from %s", where,
                            job.id(), s.shard(), s.node()).anyMatch(a -> a.jobId().equals(job.id()) && a.shard() == s.shard());
                }
            }
        }
    }

    private void fleet() {
        for (int n = 0; n < 6; n++) {
            String name = "n" + n;
            String chip = n % 2 == 0 ? "nvidia-h20" : "ascend-910b";
            List<DeviceReport> d = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                d.add(DeviceReport.basic(i, name + "-" + i, chip, chip, chip.startsWith("nvidia") ? 96 : 64, true, null));
            }
            store.updateNode(name, old -> new NodeRecord(name, "10.0.0." + name.length(), Map.of(), d, NodeState.READY,
                    "t", clock.millis(), false));
        }
    }

    String submit(Random random) {
        seq++;
        String id = "job-" + seq;
        int shards = 1 + random.nextInt(4);
        String shardSpec = random.nextInt(2) == 0 ? "{min: 1, max: " + (shards + 2) + "}" : Integer.toString(shards);
        String yaml = "name: m" + (seq % 5) + "\npriority: " + random.nextInt(6) + "\ncommand: [w]\nshards: " + shardSpec
                + "\ndevicesPerShard: " + (1 << random.nextInt(4)) + "\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\n"
                + "globalBatch: 64\n";
        store.insertJob(JobRecord.submitted(id, seq, new JobSpecParser(CATALOG).parse(yaml.getBytes(StandardCharsets.UTF_8),
                "application/yaml"), "u" + (seq % 3), clock.instant().toString()));
        return id;
    }

    /** What the agents of the nodes that still talk say about their shards: progress, exits, stops. */
    private void agentsReport(Random random) {
        List<ShardReport> out = new ArrayList<>();
        // In key order: the draws go to the same shards in two fleets alike whatever order their maps iterate in.
        for (AssignmentSet set : new TreeMap<>(store.allAssignments()).values()) {
            if (silent.contains(set.node())) {
                continue;
            }
            for (ShardAssignment a : set.shards()) {
                ShardReport last = store.shardReports(a.jobId(), a.shard() + 1).get(a.shard());
                long step = last == null || last.attempt() != a.attempt() || last.step() == null ? 0 : last.step() + 10;
                double rate = set.node().hashCode() % 2 == 0 ? 100 : 70; // one vendor measures slower
                if (a.stopGraceMs() != null) {
                    out.add(new ShardReport(a.jobId(), a.shard(), a.attempt(), ShardPhase.EXITED, 143, 1L, step, 1000L,
                            null, null, step, new ShardReport.Exit(clock.millis(), List.of())));
                } else if (random.nextInt(20) == 0) {
                    int code = random.nextInt(3) == 0 ? 1 : 0;
                    out.add(new ShardReport(a.jobId(), a.shard(), a.attempt(), ShardPhase.EXITED, code, 1L, step, 1000L,
                            null, null, step, new ShardReport.Exit(clock.millis(), List.of())));
                } else {
                    out.add(new ShardReport(a.jobId(), a.shard(), a.attempt(), ShardPhase.RUNNING, null, 1L, null, null,
                            new ShardReport.Progress(step, 1000L, rate * a.microBatch(), step / 50 * 50, a.splitVersion(), null)));
                }
            }
        }
        store.recordShardReports(out);
    }

    private void heartbeats() {
        store.nodes().forEach(n -> {
            if (!silent.contains(n.name())) {
                store.touchNode(n.name(), clock.millis());
            }
        });
    }

    /** A node goes silent, or a silent one comes back and registers again. */
    private void flipNode(Random random) {
        String name = "n" + random.nextInt(6);
        if (silent.remove(name)) {
            store.updateNode(name, old -> old.map(n -> n.withState(NodeState.READY).heardAt(clock.millis())).orElseThrow());
        } else {
            silent.add(name);
        }
    }

    private void cancelOne(Random random) {
        List<JobRecord> live = store.jobs().stream().filter(j -> !j.state().terminal())
                .sorted(Comparator.comparing(JobRecord::id)).toList(); // not the map's order: see agentsReport
        if (!live.isEmpty()) {
            JobRecord j = live.get(random.nextInt(live.size()));
            store.updateJob(j.id(), JobRecord::withCancelRequested);
        }
    }
}
