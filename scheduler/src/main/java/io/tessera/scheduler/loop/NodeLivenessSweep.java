package io.tessera.scheduler.loop;

import io.tessera.scheduler.leader.Term;
import io.tessera.scheduler.events.SchedulerEvents;

import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.NodeState;
import io.tessera.scheduler.policy.HeartbeatPolicy;
import io.tessera.scheduler.state.Change;
import io.tessera.scheduler.state.ClusterReads;
import io.tessera.scheduler.state.PlanApplier;
import io.tessera.scheduler.state.ClusterView;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marks READY nodes LOST once their last heartbeat is older than the timeout: the nodes come from
 * the leader's view and the times from the store's small heard-from map, so a sweep decodes no
 * node records. The timeout follows
 * the fleet's size ({@link HeartbeatPolicy}: a large fleet heartbeats less often, so it is judged
 * over a longer silence). Sweeps at most every tenth of the timeout (and at most every second),
 * however often the loop passes. Decides; the loop commits ({@link StageDecision}).
 */
public final class NodeLivenessSweep {
    private static final Logger LOG = LoggerFactory.getLogger(NodeLivenessSweep.class);
    private final ClusterReads store;
    private final ClusterView view;
    private final Clock clock;
    private final HeartbeatPolicy heartbeats;
    private final SchedulerEvents events;
    private HeartbeatPolicy.Granted granted;

    public NodeLivenessSweep(ClusterReads store, ClusterView view, Clock clock, HeartbeatPolicy heartbeats,
                             SchedulerEvents events) {
        this.view = view;
        this.events = events;
        this.store = store;
        this.clock = clock;
        this.heartbeats = heartbeats;
    }

    /** With a fixed timeout whatever the fleet's size (tests). */
    public NodeLivenessSweep(ClusterReads store, ClusterView view, Clock clock, long timeoutMs, SchedulerEvents events) {
        this(store, view, clock, new HeartbeatPolicy(Math.max(1, timeoutMs / 5), timeoutMs, Double.MAX_VALUE / 4), events);
    }

    /** The silence after which a node is declared lost now. */
    public long timeoutMs() {
        granted = heartbeats.granted(granted, store.nodeCount(), clock.millis());
        return granted.timeoutMs();
    }

    /**
     * The silent nodes to declare lost under {@code term}: a {@link Change.NodeLost} each, which the
     * loop commits ({@code memory} carries when this last swept). No node is declared lost until
     * the leader has led for a whole timeout: after a failover or a cluster restart, agents get one
     * timeout to reach the new leader, so an outage of the schedulers never looks like node loss.
     * Each loss is re-checked at commit: a heartbeat that landed since this sweep read keeps the node.
     */
    public StageDecision sweep(Term term, CycleMemory memory) {
        return sweep(term, memory, CycleState.of(view));
    }

    /** {@link #sweep(Term, CycleMemory)} over the nodes of {@code s}. */
    public StageDecision sweep(Term term, CycleMemory memory, CycleState s) {
        long now = clock.millis();
        long timeoutMs = timeoutMs();
        if (now - term.startedMs() < timeoutMs) {
            return StageDecision.NONE;
        }
        if (!memory.due("liveness", now, Math.min(1000, timeoutMs / 10))) {
            return StageDecision.NONE; // loss is judged in timeouts of seconds: reading every node each pass of a busy loop buys nothing
        }
        List<Change.NodeLost> silent = new ArrayList<>();
        Map<String, Long> heard = store.heardTimes();
        for (NodeRecord node : s.nodes()) {
            long last = Math.max(node.lastHeartbeatMs(), heard.getOrDefault(node.name(), Long.MIN_VALUE));
            if (node.state() == NodeState.READY && now - last > timeoutMs) {
                silent.add(new Change.NodeLost(node.name(), now - timeoutMs - 1));
            }
        }
        return StageDecision.of(silent, outcomes -> {
            for (int i = 0; i < silent.size(); i++) {
                if (outcomes.get(i) instanceof PlanApplier.Committed) {
                    events.nodeLost();
                    LOG.warn("node {} lost: no heartbeat for more than {} ms", silent.get(i).node(), timeoutMs);
                }
            }
        });
    }
}
