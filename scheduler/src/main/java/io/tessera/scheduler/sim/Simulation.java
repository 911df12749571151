package io.tessera.scheduler.sim;

import io.tessera.scheduler.model.EventType;
import java.util.HashMap;
import java.util.HashSet;
import io.tessera.scheduler.policy.RestartBackoffPolicy;
import java.util.Set;
import io.tessera.config.ChipCatalog;
import io.tessera.config.LimitsConfig.RestartBackoff;
import io.tessera.config.QueueSpec;
import io.tessera.config.wire.DeviceReport;
import io.tessera.scheduler.events.SchedulerEvents;
import io.tessera.scheduler.leader.Term;
import io.tessera.scheduler.loop.LoopAssembly;
import io.tessera.scheduler.loop.NodeLivenessSweep;
import io.tessera.scheduler.loop.SchedulingLoop;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.NodeState;
import io.tessera.scheduler.placement.NodeView;
import io.tessera.scheduler.placement.PlacementEngine;
import io.tessera.scheduler.placement.PlacementPolicy;
import io.tessera.scheduler.state.ClusterView;
import io.tessera.scheduler.state.memory.InMemoryClusterStore;
import io.tessera.scheduler.state.memory.InMemoryJobHistory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The discrete-event driver. It runs the live scheduler's loop ({@link LoopAssembly}: the same
 * lifecycles, queue pass, placement engine, fair share, quotas, reservations and preemption) over
 * the in-memory store, with a {@link VirtualClock} that jumps from one event to the next, and
 * {@link SimAgents} in place of the node agents. At each instant it applies the due events, runs
 * passes until one places nothing, lets the agents answer, and samples what it records. While
 * jobs wait and nothing else is due, a pass runs every {@code passIntervalSec}, as the live
 * interval timer would, for as long as such passes change something. The run ends when no event is left but those timer ticks and nothing
 * runs. Deterministic for its inputs: no thread, no wall clock and no unordered iteration in the
 * decisions.
 */
public final class Simulation {
    /** Virtual time zero. */
    public static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");
    private final VirtualClock clock = new VirtualClock(EPOCH);
    private final InMemoryClusterStore store = new InMemoryClusterStore();
    private final EventQueue events = new EventQueue();
    private final Workload workload;
    private final List<NodeView> nodes;
    private final ChipCatalog catalog;
    private final ClusterView view;
    private final SchedulingLoop loop;
    private final SimAgents agents;
    private final SimRecorder recorder;
    private final InMemoryJobHistory history;
    private final RestartBackoff backoff;
    private long lastBeatMs = Long.MIN_VALUE / 2;
    private long lastProgressMs = Long.MIN_VALUE / 2;
    private long tickAtMs = -1;
    /** How many outages hold each node down now. */
    private final Map<String, Integer> downCount = new HashMap<>();
    private int passes;

    /**
     * @param policy the cluster's placement settings; its throughput model is replaced by the
     *               step model's, aware or agnostic
     */
    public Simulation(ChipCatalog catalog, List<NodeView> nodes, PlacementPolicy policy, StepModel steps,
                      boolean aware, Workload workload) {
        this(catalog, nodes, policy, steps, aware, workload, RestartBackoff.DEFAULT);
    }

    /**
     * @param backoff how long a failed gang waits before its next attempt, as the scheduler being
     *                modelled is configured ({@code limits.restartBackoff}). Regression: the simulator
     *                always waited the default 10 s, so a live run with a shorter backoff (the test
     *                cluster's 0.2 s) and one replayed worker failure diverged by 80% (SimulationFidelityTest)
     */
    public Simulation(ChipCatalog catalog, List<NodeView> nodes, PlacementPolicy policy, StepModel steps,
                      boolean aware, Workload workload, RestartBackoff backoff) {
        this.backoff = backoff;
        this.catalog = catalog;
        this.nodes = nodes;
        this.workload = workload;
        this.view = new ClusterView(store, catalog);
        this.history = new InMemoryJobHistory(workload.jobs().size() + 1);
        this.recorder = new SimRecorder(catalog);
        PlacementPolicy placing = new PlacementPolicy(policy.defaultMaxVendorShare(), policy.defaultMinVendors(),
                policy.memoryHeadroom(), policy.network(), steps.policyModel(aware));
        long timeoutMs = Math.round(workload.options().heartbeatTimeoutSec() * 1000);
        this.loop = new LoopAssembly(store, view, new PlacementEngine(), placing, clock,
                SchedulerEvents.NONE, workload.elastic(), history, 0, Long.MAX_VALUE / 4, backoff,
                workload.preemption())
                .loop(() -> true, new NodeLivenessSweep(store, view, clock, timeoutMs, SchedulerEvents.NONE),
                        () -> new Term("simulator", store.claimLeadership("simulator").epoch(), clock.millis()),
                        Long.MAX_VALUE / 4, () -> 0L).withResyncEvery(Long.MAX_VALUE / 4);
        this.agents = new SimAgents(store, view, history, catalog, steps, events, recorder, recorder.recovery(),
                workload.options());
    }


    /** Runs the workload to its end. */
    public SimRecorder run() {
        fleet();
        workload.queues().forEach(store::putQueue);
        workload.jobs().forEach(j -> events.at(j.arriveMs(), new SimEvent.Arrival(j)));
        workload.injected().forEach(t -> events.at(t.atMs(), t.event()));
        while (!events.isEmpty() && !(events.onlyTicks() && !agents.anyActive())) {
            long at = events.nextAtMs();
            clock.set(EPOCH.toEpochMilli() + at);
            List<SimEvent> due = events.takeNext();
            boolean onlyTicks = due.stream().allMatch(e -> e instanceof SimEvent.Tick);
            long changesBefore = agents.changes();
            for (SimEvent e : due) {
                apply(e, at);
            }
            beat(at);
            for (int i = 0; i < 20; i++) {
                passes++;
                boolean placed = loop.pass();
                agents.react(at);
                if (!placed) {
                    break;
                }
            }
            List<String> holding = loop.memory().reservedJobs(); // reservations, not the others' mere estimates
            view.refresh(); // the passes committed at their ends: the queue as they left it
            for (JobRecord j : view.queued()) {
                store.estimatedStart(j.id()).filter(iso -> holding.contains(j.id())).ifPresent(iso -> recorder.reserved(j.id(),
                        Instant.parse(iso).toEpochMilli() - EPOCH.toEpochMilli()));
                wakeAfterBackoff(j);
            }
            recorder.sample(at);
            if (!onlyTicks || agents.changes() != changesBefore) {
                tick(at); // timer passes go on while they change something
            }
        }
        return recorder;
    }

    /** Scheduler passes run. */
    public int passes() {
        return passes;
    }

    private void fleet() {
        for (NodeView n : nodes) {
            List<DeviceReport> devices = new ArrayList<>();
            n.freeDevices().forEach((chip, ids) -> {
                for (int i : ids) {
                    devices.add(DeviceReport.basic(i, n.name() + "-" + i, chip, chip, 64, true, null));
                }
                recorder.capacity(chip, ids.size(), 0);
            });
            store.updateNode(n.name(), old -> new NodeRecord(n.name(), n.address(), n.labels(), devices, NodeState.READY,
                    EPOCH.toString(), clock.millis(), false));
        }
    }

    private void apply(SimEvent e, long at) {
        if (e instanceof SimEvent.Arrival a) {
            submit(a.job());
        } else if (e instanceof SimEvent.Started s) {
            agents.started(s.jobId(), s.attempt(), at);
        } else if (e instanceof SimEvent.Finished f) {
            agents.finished(f.jobId(), f.attempt(), at);
        } else if (e instanceof SimEvent.Stopped s) {
            agents.stopped(s.jobId(), s.attempt(), at);
        } else if (e instanceof SimEvent.ShardFault f) {
            agents.fault(f.jobId(), f.shard(), at);
        } else if (e instanceof SimEvent.DeviceFault f) {
            agents.faultOn(f.node(), f.device(), at);
        } else if (e instanceof SimEvent.Rejoined r) {
            agents.rejoined(r.jobId(), r.attempt(), r.generation(), at);
        } else if (e instanceof SimEvent.Preempt p) {
            preempt(p.jobId());
        } else if (e instanceof SimEvent.Outage o) {
            outage(o, at);
        } else if (e instanceof SimEvent.Tick) {
            tickAtMs = -1;
        } // a Wake only brings the pass that follows every event
    }

    private void submit(SimJob job) {
        agents.submitted(job);
        recorder.arrived(job, workload.options().measured(job.index()));
        store.insertJob(JobRecord.submitted(new JobRecord.Identity(job.id(), job.index() + 1L, job.owner(),
                clock.instant().toString()), job.spec(), "submitted by " + job.owner() + " (simulated)"));
    }

    private void preempt(String id) {
        store.job(id).filter(j -> j.state() == JobState.PLACED || j.state() == JobState.RUNNING).ifPresent(j -> {
            QueueSpec q = store.queue(j.spec().queue()).orElse(QueueSpec.open(j.spec().queue()));
            // a running job means a pass has run, under the simulator's term: the loop commits the eviction under it
            loop.commit(loop.preemptor().orElseThrow().evict(j, "preempted by an event of the simulated workload",
                    q.preemptionGraceMs()));
        });
    }

    /**
     * Nodes go down or come back. Outages may overlap (a node that fails during its vendor's
     * outage): a node is down while any outage holds it, and comes back when the last one ends.
     */
    private void outage(SimEvent.Outage o, long at) {
        if (o.down() && o.what() != null && o.forMs() > 0) {
            recorder.recovery().outage(new RecoveryStats.Outage(o.what(), at, at + o.forMs(), devices(o.nodes()),
                    devices(nodes.stream().map(NodeView::name).toList())));
        }
        List<String> changed = new ArrayList<>();
        for (String name : o.nodes()) {
            int before = downCount.getOrDefault(name, 0);
            int after = Math.max(0, before + (o.down() ? 1 : -1));
            downCount.put(name, after);
            if ((before == 0) != (after == 0)) {
                changed.add(name);
                NodeView n = nodes.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
                n.freeDevices().forEach((chip, ids) -> recorder.capacity(chip, o.down() ? -ids.size() : ids.size(), at));
            }
        }
        if (changed.isEmpty()) {
            return;
        }
        if (o.down()) {
            // Their last heartbeat was now, as heartbeats are continuous: regression, the simulator's heartbeats
            // come with events, so in a quiet spell a node's last one was hours old and it was lost at once.
            changed.forEach(name -> store.touchNode(name, clock.millis()));
            agents.down(changed, at);
            long sweepAt = at + Math.round(workload.options().heartbeatTimeoutSec() * 1000) + 1500;
            events.at(sweepAt, new SimEvent.Tick());
        } else {
            agents.up(changed);
            for (String name : changed) {
                store.updateNode(name, old -> old.map(n -> n.withState(NodeState.READY)).orElse(null));
                store.touchNode(name, clock.millis());
            }
        }
    }

    private int devices(List<String> names) {
        return nodes.stream().filter(n -> names.contains(n.name()))
                .mapToInt(n -> n.freeDevices().values().stream().mapToInt(List::size).sum()).sum();
    }

    /** Up nodes heartbeat (a third of the timeout apart); running workers report their step each minute. */
    private void beat(long at) {
        long every = Math.round(workload.options().heartbeatTimeoutSec() * 1000 / 3);
        if (at - lastBeatMs >= every) {
            lastBeatMs = at;
            for (NodeView n : nodes) {
                if (!agents.isDown(n.name())) {
                    store.touchNode(n.name(), clock.millis());
                }
            }
        }
        if (at - lastProgressMs >= 60_000) {
            lastProgressMs = at;
            agents.reportProgress(at);
        }
    }

    private final Set<Long> wakes = new HashSet<>();

    /** A pass when {@code job}'s restart backoff ends (the live loop's timer would run one). */
    private void wakeAfterBackoff(JobRecord job) {
        long notBefore = RestartBackoffPolicy.notBeforeMs(job, backoff);
        if (notBefore > clock.millis() && wakes.add(notBefore)) {
            events.at(notBefore - EPOCH.toEpochMilli(), new SimEvent.Wake());
        }
    }

    private void tick(long at) {
        if (tickAtMs < 0 && !view.queued().isEmpty()) {
            tickAtMs = at + Math.round(workload.options().passIntervalSec() * 1000);
            events.at(tickAtMs, new SimEvent.Tick());
        }
    }

    /** The workload this simulation runs. */
    public Workload workload() {
        return workload;
    }

    /** Job records as the scheduler left them, for checks: in state or in the history. */
    public Map<String, JobRecord> records() {
        Map<String, JobRecord> out = new TreeMap<>();
        workload.jobs().forEach(j -> store.job(j.id()).or(() -> history.get(j.id())).ifPresent(r -> out.put(j.id(), r)));
        return out;
    }
}
