package io.tessera.scheduler.placement;

import java.util.Comparator;
import io.tessera.config.ChipType;
import io.tessera.config.NetworkConfig;
import io.tessera.config.wire.CommPlan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Decides a gang's communication plan from its shards: one group per vendor and collective
 * library (the catalog's {@code collective}), in order of their lowest rank; each led by its lowest
 * rank; and, with more than one group, a bridge between the leaders over {@code network.bridge}
 * when every chip of the gang lists that transport in its {@code bridges}, else Gloo over TCP.
 * Ports are left 0 here; the commit fills them in ({@code CommPorts}). {@link #shapes} gives
 * {@link LinkModel} the same groups, so the cost model and the plan cannot disagree. Pure.
 */
public final class CommPlanner {
    private CommPlanner() {
    }

    /** The key of the group a chip's shards join: its vendor and its collective library. */
    public static String groupKey(ChipType chip) {
        return chip.vendor() + "/" + chip.collective();
    }

    /** The plan of {@code shards} (ranks 0..n-1), without ports or interface hints. */
    public static CommPlan plan(List<ShardPlan> shards, Function<String, ChipType> chips, NetworkConfig network) {
        Map<String, List<ShardPlan>> byKey = new LinkedHashMap<>();
        shards.stream().sorted(Comparator.comparingInt(ShardPlan::shard))
                .forEach(s -> byKey.computeIfAbsent(groupKey(chips.apply(s.chipType())), k -> new ArrayList<>()).add(s));
        List<CommPlan.Group> groups = new ArrayList<>();
        for (List<ShardPlan> members : byKey.values()) {
            ShardPlan leader = members.get(0);
            ChipType chip = chips.apply(leader.chipType());
            groups.add(new CommPlan.Group(groups.size(), chip.vendor(), chip.collective(),
                    members.stream().map(ShardPlan::shard).toList(), leader.shard(), leader.nodeAddress(), 0));
        }
        CommPlan.Bridge bridge = null;
        if (groups.size() > 1) {
            boolean all = shards.stream().allMatch(s -> chips.apply(s.chipType()).bridges().contains(network.bridge()));
            bridge = new CommPlan.Bridge(all ? network.bridge() : NetworkConfig.GLOO,
                    groups.stream().map(CommPlan.Group::leader).toList(), groups.get(0).address(), 0);
        }
        return new CommPlan(0, groups, bridge, Map.of());
    }

    /** What {@link LinkModel#commSec} prices for {@code plan}: each group's size, node span and slowest link. */
    public static List<LinkModel.GroupShape> shapes(CommPlan plan, List<ShardPlan> shards, Function<String, ChipType> chips) {
        Map<Integer, ShardPlan> byRank = new LinkedHashMap<>();
        shards.forEach(s -> byRank.put(s.shard(), s));
        List<LinkModel.GroupShape> out = new ArrayList<>();
        for (CommPlan.Group g : plan.groups()) {
            LinkModel.GroupShape shape = new LinkModel.GroupShape();
            for (int rank : g.ranks()) {
                ShardPlan s = byRank.get(rank);
                shape.add(s.node(), chips.apply(s.chipType()).intraNodeLinkGBs());
            }
            out.add(shape);
        }
        return out;
    }
}
