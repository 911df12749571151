package io.tessera.scheduler.service;

import io.tessera.config.SchedulerConfig;
import io.tessera.config.ValidationException;
import io.tessera.config.wire.AssignmentSet;
import io.tessera.config.wire.DeviceReport;
import io.tessera.config.wire.Heartbeat;
import io.tessera.config.wire.RegisterRequest;
import io.tessera.config.wire.RegisterResponse;
import io.tessera.config.wire.ShardAssignment;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.NodeState;
import io.tessera.scheduler.security.SecretBox;
import io.tessera.scheduler.state.ClusterStore;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent side of the API: registration, heartbeats and assignment reads. Blocking.
 * A heartbeat from a node the scheduler does not know is refused, which tells the agent to
 * register again (after a scheduler restart); a LOST node that heartbeats becomes READY again.
 */
public final class AgentService {
    private static final Logger LOG = LoggerFactory.getLogger(AgentService.class);
    private static final Pattern NODE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final int MAX_DEVICES = 1024;
    private static final int MAX_SHARDS = 4096;
    private final ClusterStore store;
    private final SchedulerConfig config;
    private final Clock clock;
    private final io.tessera.scheduler.loop.SchedulerEvents events;

    private final SecretBox secrets;

    public AgentService(ClusterStore store, SchedulerConfig config, Clock clock,
                        io.tessera.scheduler.loop.SchedulerEvents events, SecretBox secrets) {
        this.secrets = secrets;
        this.events = events;
        this.store = store;
        this.config = config;
        this.clock = clock;
    }

    public RegisterResponse register(RegisterRequest req) {
        validate(req.node(), req.devices(), req.shards());
        if (req.address() == null || req.address().isBlank() || req.address().length() > 255) {
            throw new ValidationException("address", "is required: the address other nodes reach this node at");
        }
        if (req.labels().size() > 64 || req.labels().entrySet().stream()
                .anyMatch(e -> e.getKey().length() > 63 || e.getValue() == null || e.getValue().length() > 256)) {
            throw new ValidationException("labels", "at most 64 labels, keys up to 63 and values up to 256 characters");
        }
        long now = clock.millis();
        String at = clock.instant().toString();
        store.updateNode(req.node(), old -> {
            if (old.isEmpty() || old.get().state() == NodeState.LOST) {
                LOG.info("node {} registered with {} devices", req.node(), req.devices().size());
            }
            return new NodeRecord(req.node(), req.address(), req.labels(), req.devices(), NodeState.READY, at, now,
                    old.map(NodeRecord::drained).orElse(false));
        });
        store.recordShardReports(req.shards());
        return new RegisterResponse(req.node(), config.heartbeatIntervalMs(), config.heartbeatTimeoutMs());
    }

    /** Records a heartbeat; false when the node is unknown and must register first. */
    public boolean heartbeat(String node, Heartbeat hb) {
        if (!node.equals(hb.node())) {
            throw new ValidationException("node", "the body names node '" + hb.node() + "' but the path names '" + node + "'");
        }
        validate(node, hb.devices(), hb.shards());
        events.heartbeat();
        long now = clock.millis();
        List<DeviceReport> before = store.node(node).map(NodeRecord::devices).orElse(List.of());
        boolean known = store.updateNode(node, old -> old.map(n -> {
            if (n.state() == NodeState.LOST) {
                LOG.info("node {} is heartbeating again after being lost", node);
            }
            return n.withHeartbeat(hb.devices(), now);
        }).orElse(null)).isPresent();
        if (known) {
            store.recordShardReports(hb.shards());
            noteSickDevices(node, before, hb.devices());
        }
        return known;
    }

    /** Tells every job with a shard on a device that just turned unhealthy, in its events. */
    private void noteSickDevices(String node, List<DeviceReport> before, List<DeviceReport> now) {
        java.util.Set<Integer> wasSick = new java.util.HashSet<>();
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
                    store.updateJob(a.jobId(), j -> j.withEvent(new JobEvent(at, "DEVICE_UNHEALTHY", msg)));
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
        return new ShardAssignment(a.jobId(), a.jobName(), a.shard(), a.worldSize(), a.localRank(), a.localWorldSize(),
                a.attempt(), a.argv(), secrets.open(a.jobId(), a.env()), a.devices(), a.chipType(), a.vendor(),
                a.visibilityEnv(), a.precision(), a.microBatch(), a.accumulation(), a.globalBatch(),
                a.predictedSamplesPerSec(), a.masterAddr(), a.masterPort(), a.checkpointDir());
    }

    /** Nodes with their devices, as stored. */
    public List<NodeRecord> nodes() {
        return store.nodes().stream().sorted(java.util.Comparator.comparing(NodeRecord::name)).toList();
    }

    /** Which job shard holds each device, per node. */
    public Map<String, AssignmentSet> assignmentsByNode() {
        return store.allAssignments();
    }

    /** Drains (or undrains) a node: running work stays, nothing new lands. Empty if unknown. */
    public java.util.Optional<NodeRecord> drain(String node, boolean drained) {
        return store.node(node).isEmpty() ? java.util.Optional.empty()
                : store.updateNode(node, old -> old.map(n -> n.withDrained(drained)).orElse(null));
    }

    private static void validate(String node, List<DeviceReport> devices, List<ShardReport> shards) {
        if (node == null || !NODE.matcher(node).matches()) {
            throw new ValidationException("node", "must be 1-128 letters, digits, '.', '_' or '-'");
        }
        if (devices.size() > MAX_DEVICES) {
            throw new ValidationException("devices", "more than " + MAX_DEVICES + " devices");
        }
        if (shards.size() > MAX_SHARDS) {
            throw new ValidationException("shards", "more than " + MAX_SHARDS + " shard reports");
        }
        for (int i = 0; i < devices.size(); i++) {
            DeviceReport d = devices.get(i);
            if (d.chipType() == null || d.index() < 0) {
                throw new ValidationException("devices[" + i + "]", "needs a chipType and a non-negative index");
            }
        }
        for (int i = 0; i < shards.size(); i++) {
            ShardReport s = shards.get(i);
            if (s.jobId() == null || s.phase() == null) {
                throw new ValidationException("shards[" + i + "]", "needs a jobId and a phase");
            }
        }
    }
}
