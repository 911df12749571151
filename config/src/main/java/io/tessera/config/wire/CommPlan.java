package io.tessera.config.wire;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The communication plan of one attempt of a gang, decided by the scheduler and handed to every
 * worker (docs/worker-contract.md). Chips of different vendors cannot join one NCCL or HCCL
 * all-reduce, so the gang is cut into groups, one per vendor and collective library: each group
 * reduces its gradients natively onto its leader, the leaders all-reduce over the bridge, and each
 * leader broadcasts the result back into its group. With one group there is no bridge and the
 * group all-reduces on its own. Placement's all-reduce cost model prices exactly this shape.
 *
 * <p>Contract: every rank is in exactly one group; a group's leader is its lowest rank; the
 * bridge's ranks are the leaders, in group order. Ports are 0 in a plan that is not committed;
 * a committed plan's ports (world, bridge, groups) are distinct, and none is in use by another
 * job on the gang's nodes.
 *
 * @param worldPort  the rendezvous port of the whole gang ({@code MASTER_PORT}, on rank 0's node)
 * @param groups     the groups, in rank order of their leaders
 * @param bridge     how the leaders combine their groups' sums; null when there is one group
 * @param interfaces network-interface variables per node name (from its {@code nic} and {@code nicIp}
 *                   labels): {@code NCCL_SOCKET_IFNAME}, {@code HCCL_SOCKET_IFNAME}, {@code HCCL_IF_IP},
 *                   {@code GLOO_SOCKET_IFNAME}; a shard's assignment carries only its own node's
 */
public record CommPlan(int worldPort, List<Group> groups, Bridge bridge, Map<String, Map<String, String>> interfaces) {
    /** The first port plans are given. */
    public static final int PORT_BASE = 29500;
    /** How many ports, from {@link #PORT_BASE}, plans are given. */
    public static final int PORT_SPAN = 2000;

    public CommPlan {
        groups = List.copyOf(groups);
        interfaces = interfaces == null ? Map.of() : Map.copyOf(interfaces);
    }

    /**
     * One vendor group.
     *
     * @param index   its position, 0..groups-1
     * @param vendor  the vendor of its chips
     * @param library the collective library it uses natively (catalog {@code collective})
     * @param ranks   its ranks, ascending
     * @param leader  the rank that reduces for it and talks over the bridge: its lowest
     * @param address the leader's node address, where the group's rendezvous listens
     * @param port    the group's rendezvous port
     */
    public record Group(int index, String vendor, String library, List<Integer> ranks, int leader, String address, int port) {
        public Group {
            ranks = List.copyOf(ranks);
        }

        /** This rank's position within the group. */
        public int indexOf(int rank) {
            return ranks.indexOf(rank);
        }
    }

    /**
     * The bridge between the groups' leaders.
     *
     * @param transport the transport: {@code gloo} (TCP) or a configured library all groups support
     * @param ranks     the leaders, in group order
     * @param address   the first leader's node address, where the bridge's rendezvous listens
     * @param port      the bridge's rendezvous port
     */
    public record Bridge(String transport, List<Integer> ranks, String address, int port) {
        public Bridge {
            ranks = List.copyOf(ranks);
        }
    }

    /** The group {@code rank} belongs to. */
    public Optional<Group> groupOf(int rank) {
        return groups.stream().filter(g -> g.ranks().contains(rank)).findFirst();
    }

    /** This plan with only {@code node}'s interface variables, as one of that node's shards receives it. */
    public CommPlan forNode(String node) {
        Map<String, String> mine = interfaces.get(node);
        return new CommPlan(worldPort, groups, bridge, mine == null ? Map.of() : Map.of(node, mine));
    }

    /** The interface variables of {@code node}; empty when its labels name none. */
    public Map<String, String> interfaceEnv(String node) {
        return interfaces.getOrDefault(node, Map.of());
    }
}
