package io.tessera.scheduler.service;

import io.tessera.config.ChipCatalog;
import io.tessera.config.SchedulerConfig;
import io.tessera.config.ValidationException;
import io.tessera.config.wire.AssignmentSet;
import io.tessera.config.wire.DeviceReport;
import io.tessera.config.wire.Heartbeat;
import io.tessera.config.wire.CommPlan;
import io.tessera.config.wire.HeartbeatResponse;
import io.tessera.config.wire.LogEndpoint;
import io.tessera.config.wire.RegisterRequest;
import io.tessera.config.wire.RegisterResponse;
import io.tessera.config.wire.ShardAssignment;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.events.SchedulerEvents;
import io.tessera.scheduler.model.EventType;
import io.tessera.scheduler.model.FleetUsage;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.NodeState;
import io.tessera.scheduler.placement.ShardPlan;
import io.tessera.scheduler.policy.HeartbeatPolicy;
import io.tessera.scheduler.security.SecretBox;
import io.tessera.scheduler.state.ClusterStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.time.Clock;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The agent side of the API: registration, heartbeats and assignment reads. Blocking. An agent
 * speaks only for its own node: its records are checked by {@link WireCheck}, its shard reports
 * count only for shards its node runs, and devices beyond its accepted inventory take no work
 * until an admin accepts them. A heartbeat from a node the scheduler does not know is refused,
 * which tells the agent to register again (after a scheduler restart); a LOST node that
 * heartbeats becomes READY again.
 */
public final class AgentService {
    private static final Logger LOG = LoggerFactory.getLogger(AgentService.class);
    static final String NOT_ACCEPTED = "not accepted: the node's inventory grew; an admin must accept it "
            + "(POST /v1/nodes/NAME/accept)";
    private final ClusterStore store;
    private final SchedulerConfig config;
    private final Clock clock;
    private final SchedulerEvents events;
    private final SecretBox secrets;
    private final ChipCatalog catalog;
    private final HeartbeatPolicy cadence;
    private volatile long countedAtMs = Long.MIN_VALUE / 2;
    private volatile int nodeCount;
    private final TelemetryRecorder telemetry;

    public AgentService(ClusterStore store, SchedulerConfig config, Clock clock, SchedulerEvents events, SecretBox secrets,
                        ChipCatalog catalog, HeartbeatPolicy cadence) {
        this.telemetry = new TelemetryRecorder(store);
        this.cadence = cadence;
        this.secrets = secrets;
        this.events = events;
        this.store = store;
        this.config = config;
        this.clock = clock;
        this.catalog = catalog;
    }

    /**
     * Registers (or re-registers) a node that connected from {@code peer}. Its log endpoint is the
     * port it names on {@code peer}, whatever host it names: the scheduler relays users' log reads
     * there with the node's key, so a node may point them only at itself. Regression (issue 27,
     * N2): the host was checked against the address the same agent claimed, so it could aim the
     * scheduler at another service (its own loopback, say) and read the answer back as a user.
     */
    public RegisterResponse register(RegisterRequest req, String peer) {
        WireCheck.node(req.node());
        WireCheck.register(req.address(), req.labels(), req.devices(), req.shards(), catalog, config.limits().maxDevicesPerNode());
        WireCheck.logs(req.address(), req.logs());
        LogEndpoint logs = LogEndpoints.onPeer(req.logs(), peer);
        long now = clock.millis();
        String at = clock.instant().toString();
        store.updateNode(req.node(), old -> {
            if (old.isEmpty() || old.get().state() == NodeState.LOST) {
                LOG.info("node {} registered with {} devices", req.node(), req.devices().size());
            }
            // A new node's inventory is taken as it says, unless the operator holds new nodes for an
            // admin (auth.holdNewNodes): then it runs nothing until accepted (issue 27, N9: a rogue
            // node enrolled with the fleet token was READY at once with 8 x H100).
            int wasAccepted = old.map(NodeRecord::acceptedDevices)
                    .orElse(config.auth().holdNewNodes() ? 0 : req.devices().size());
            int allowed = wasAccepted + (old.isPresent() ? config.limits().inventoryGrowth() : 0);
            return new NodeRecord(req.node(), req.address(), req.labels(), withinAccepted(req.devices(), allowed),
                    NodeState.READY, at, now, old.map(NodeRecord::drained).orElse(false),
                    Math.max(wasAccepted, Math.min(req.devices().size(), allowed)), logs, req.containers());
        });
        store.recordShardReports(ownReports(req.node(), req.shards()));
        long n = fleetSize();
        return new RegisterResponse(req.node(), cadence.intervalMs(n), cadence.timeoutMs(n));
    }

    /** The fleet's size, counted at most once a second (the cadence changes with thousands of nodes, not one). */
    private long fleetSize() {
        long now = clock.millis();
        if (now - countedAtMs >= 1000) {
            nodeCount = store.nodeCount();
            countedAtMs = now;
        }
        return nodeCount;
    }

    /** Records a heartbeat; empty when the node is unknown and must register first, else the cadence to keep. */
    public Optional<HeartbeatResponse> heartbeat(String node, Heartbeat hb) {
        if (!record(node, hb)) {
            return Optional.empty();
        }
        long n = fleetSize();
        return Optional.of(new HeartbeatResponse(node, true, cadence.intervalMs(n), cadence.timeoutMs(n)));
    }

    private boolean record(String node, Heartbeat hb) {
        WireCheck.node(node);
        if (!node.equals(hb.node())) {
            throw new ValidationException("node", "the body names another node than the path");
        }
        WireCheck.heartbeat(hb.devices(), hb.shards(), catalog, config.limits().maxDevicesPerNode());
        events.heartbeat();
        long now = clock.millis();
        Optional<NodeRecord> current = store.node(node);
        List<DeviceReport> before = current.map(NodeRecord::devices).orElse(List.of());
        boolean known = current.isPresent();
        List<Integer> busy = busyPorts(hb);
        if (known && current.get().state() == NodeState.READY && before.equals(offered(current.get(), hb))
                && current.get().busyPorts().equals(busy)) {
            store.touchNode(node, now); // nothing but the time changed: no record rewrite, no database write
        } else if (known) {
            known = store.updateNode(node, old -> old.map(n -> {
                if (n.state() == NodeState.LOST) {
                    LOG.info("node {} is heartbeating again after being lost", node);
                }
                return n.withHeartbeat(offered(n, hb), now).withBusyPorts(busy);
            }).orElse(null)).isPresent();
            store.touchNode(node, now);
        }
        if (known) {
            List<ShardReport> own = ownReports(node, hb.shards());
            store.recordShardReports(own);
            telemetry.heard(own, now);
            List<DeviceReport> after = store.node(node).map(NodeRecord::devices).orElse(List.of());
            if (!after.equals(before)) {
                noteSickDevices(node, before, after);
            }
        }
        return known;
    }

    /** The devices a heartbeat offers, those past the node's accepted inventory held unhealthy. */
    /** The plan-range ports the agent found busy: only ports in the range, sorted, each once. */
    private static List<Integer> busyPorts(Heartbeat hb) {
        if (hb.busyPorts().size() > Heartbeat.MAX_BUSY_PORTS) {
            throw new ValidationException("busyPorts", "at most " + Heartbeat.MAX_BUSY_PORTS + " ports");
        }
        return hb.busyPorts().stream().filter(p -> p != null && p >= CommPlan.PORT_BASE
                && p < CommPlan.PORT_BASE + CommPlan.PORT_SPAN).distinct().sorted().toList();
    }

    private List<DeviceReport> offered(NodeRecord n, Heartbeat hb) {
        return withinAccepted(hb.devices(), n.acceptedDevices() + config.limits().inventoryGrowth());
    }

    /** Accepts every device the node reports now (an admin's decision after its inventory grew). */
    public Optional<NodeRecord> acceptInventory(String node) {
        return store.node(node).isEmpty() ? Optional.empty()
                : store.updateNode(node, old -> old.map(NodeRecord::withInventoryAccepted).orElse(null));
    }

    /** Devices past the first {@code accepted} (by index) are kept, but unhealthy until accepted. */
    static List<DeviceReport> withinAccepted(List<DeviceReport> devices, int accepted) {
        List<DeviceReport> sorted = devices.stream().sorted(Comparator.comparingInt(DeviceReport::index)).toList();
        if (sorted.size() <= accepted) {
            return sorted;
        }
        return IntStream.range(0, sorted.size())
                .mapToObj(i -> i < accepted ? sorted.get(i) : sorted.get(i).unhealthy(NOT_ACCEPTED)).toList();
    }

    /**
     * The reports an agent may make: for a (job, shard, attempt) in its node's assignment set, or
     * one its node ran and was just released from (the job's placement puts that shard on this
     * node, at an attempt no higher than the job's). Others are dropped and logged.
     */
    private List<ShardReport> ownReports(String node, List<ShardReport> reports) {
        if (reports.isEmpty()) {
            return reports;
        }
        Map<String, Integer> assigned = new HashMap<>(); // by job/shard/attempt: the incarnation it may report at most
        store.assignments(node).shards().forEach(a -> assigned.put(a.jobId() + "/" + a.shard() + "/" + a.attempt(),
                a.incarnation()));
        List<ShardReport> own = reports.stream().filter(r -> {
            Integer most = assigned.get(r.jobId() + "/" + r.shard() + "/" + r.attempt());
            return most != null ? r.incarnationOrZero() <= most : justReleased(node, r);
        }).toList();
        if (own.size() != reports.size()) {
            LOG.warn("node {} reported {} shards it does not run; ignored", node, reports.size() - own.size());
        }
        return own;
    }

    private boolean justReleased(String node, ShardReport r) {
        Optional<JobRecord> job = store.job(r.jobId());
        return job.filter(j -> j.placement() != null && r.attempt() <= j.attempt() && r.shard() < j.placement().shards().size())
                .map(j -> j.placement().shards().get(r.shard())).map(ShardPlan::node).filter(node::equals).isPresent();
    }

    /** Tells every job with a shard on a device that just turned unhealthy, in its events. */
    private void noteSickDevices(String node, List<DeviceReport> before, List<DeviceReport> now) {
        Set<Integer> wasSick = new HashSet<>();
        before.stream().filter(d -> !d.healthy()).forEach(d -> wasSick.add(d.index()));
        List<DeviceReport> newlySick = now.stream().filter(d -> !d.healthy() && !wasSick.contains(d.index())).toList();
        if (newlySick.isEmpty()) {
            return;
        }
        String at = clock.instant().toString();
        for (ShardAssignment a : store.assignments(node).shards()) {
            for (DeviceReport d : newlySick) {
                if (a.devices().contains(d.index())) {
                    String msg = "device " + d.index() + " on " + node + " (shard " + a.shard() + ") turned unhealthy: "
                            + d.problem() + "; the worker keeps running, no new shard lands on the device";
                    store.updateJob(a.jobId(), j -> j.withEvent(new JobEvent(at, EventType.DEVICE_UNHEALTHY, msg)));
                    LOG.warn("job {}: {}", a.jobId(), msg);
                }
            }
        }
    }

    /** The node's assignment set as delivered to its agent: the only place sealed secrets are opened. */
    public AssignmentSet assignments(String node) {
        AssignmentSet set = store.assignments(node);
        return new AssignmentSet(set.node(), set.version(), set.shards().stream().map(this::unsealed).toList());
    }

    private ShardAssignment unsealed(ShardAssignment a) {
        return a.withEnv(secrets.open(a.jobId(), a.env()));
    }

    /** The chip catalog this member schedules with. */
    public ChipCatalog catalog() {
        return catalog;
    }

    /** The fleet's use per vendor over time, as the leader sampled it. */
    public FleetUsage fleetUsage() {
        return store.telemetry().fleet();
    }

    /** Nodes with their devices, as stored. */
    public List<NodeRecord> nodes() {
        return store.nodes().stream().sorted(Comparator.comparing(NodeRecord::name)).toList();
    }

    /** Which job shard holds each device, per node, as stored (sealed secrets stay sealed). */
    public Map<String, AssignmentSet> assignmentsByNode() {
        return store.allAssignments();
    }

    /** The stored assignment set of one node (sealed secrets stay sealed). */
    public AssignmentSet storedAssignments(String node) {
        return store.assignments(node);
    }

    /** Drains (or undrains) a node: running work stays, nothing new lands. Empty if unknown. */
    public Optional<NodeRecord> drain(String node, boolean drained) {
        return drain(node, drained, false);
    }

    /**
     * Drains (or undrains) a node. With {@code evacuate}, every job running there is also asked to
     * move off: the leader stops it as a preemption victim, so its workers checkpoint on the way
     * out, and places it elsewhere without spending a restart. Empty if the node is unknown.
     */
    public Optional<NodeRecord> drain(String node, boolean drained, boolean evacuate) {
        if (store.node(node).isEmpty()) {
            return Optional.empty();
        }
        Optional<NodeRecord> out = store.updateNode(node, old -> old.map(n -> n.withDrained(drained)).orElse(null));
        if (drained && evacuate) {
            String why = "node " + node + " is drained for maintenance";
            Set<String> jobs = new HashSet<>();
            store.assignments(node).shards().forEach(a -> jobs.add(a.jobId()));
            jobs.forEach(id -> store.updateJob(id, j -> j.moveRequested() != null || j.state() != JobState.RUNNING
                    && j.state() != JobState.PLACED ? j : j.withMoveRequested(why)));
        }
        return out;
    }
}
