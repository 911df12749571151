package io.tessera.agent.net;

import io.tessera.config.wire.CommPlan;
import io.tessera.config.wire.ShardAssignment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ports a shard's gang listens on at this node are the job's: before a shard starts, each
 * plan port that this node serves (the world rendezvous where rank 0 runs here, a group's port
 * where its leader runs here, the bridge's) must be free, or held by the job's own uid (another
 * of its shards bound it first). A port held by anyone else (another job squatting it) stops the
 * launch with a message naming the port and its holder, and the scheduler places the gang again
 * on other ports; the heartbeat reports which plan-range ports are busy so new plans avoid them.
 */
public final class PortGuard {
    private PortGuard() {
    }

    /**
     * The ports of {@code a}'s plan that this shard serves (on its own node, then): the world
     * rendezvous for rank 0, a group's port for its leader, the bridge's for its first rank.
     */
    public static List<Integer> served(ShardAssignment a) {
        List<Integer> out = new ArrayList<>();
        if (a.shard() == 0) {
            out.add(a.masterPort());
        }
        CommPlan comm = a.comm();
        if (comm != null) {
            comm.groups().stream().filter(g -> g.leader() == a.shard()).forEach(g -> out.add(g.port()));
            CommPlan.Bridge b = comm.bridge();
            if (b != null && !b.ranks().isEmpty() && b.ranks().get(0) == a.shard()) {
                out.add(b.port());
            }
        }
        return out;
    }

    /**
     * Why {@code a} may not start here, if a port it serves is held by someone else.
     *
     * @param listening port to uid, as {@link ListeningPorts#read} gives
     * @param jobUid    the uid the job's workers run as here, or -1 when they run as the agent's user
     *                  (then any holder but none is someone else)
     */
    public static Optional<String> squatted(ShardAssignment a, Map<Integer, Integer> listening, int jobUid) {
        for (int port : served(a)) {
            Integer holder = listening.get(port);
            if (holder != null && (jobUid < 0 || holder != jobUid)) {
                return Optional.of("port " + port + " of the job's communication plan is already held on this node by uid "
                        + holder + (jobUid >= 0 ? ", not the job's uid " + jobUid : "") + "; the gang is placed again on "
                        + "other ports");
            }
        }
        return Optional.empty();
    }

    /** The ports in {@code [first, first + span)} something listens on here, in order. */
    public static List<Integer> busy(Map<Integer, Integer> listening, int first, int span) {
        return listening.keySet().stream().filter(p -> p >= first && p < first + span).sorted().toList();
    }
}
