package io.tessera.scheduler.loop;

import io.tessera.config.ChipType;
import io.tessera.config.NetworkConfig;
import io.tessera.scheduler.placement.ClusterSnapshot;
import io.tessera.scheduler.placement.CommPlanner;
import io.tessera.scheduler.placement.NodeView;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.ShardPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The recovery ladder's shard rung as a pure decision: {@code plan} with the shards of lost nodes
 * moved onto free devices of the same chip type, each shard keeping its rank, precision and batch,
 * so the gang's throughput and split stay as they were and only the lost shards start again. The
 * survivors keep their devices. Nodes are tried in name order, each replacement taking the free
 * devices of the first node that holds the whole shard, so two shards never get the same device.
 * Empty when some lost shard fits nowhere: the ladder climbs to the gang restart.
 */
public final class ShardReplacement {
    private ShardReplacement() {
    }

    /**
     * @param plan    the running attempt's plan
     * @param lost    the ranks whose node was lost
     * @param free    the fleet's free devices (healthy, on READY undrained nodes)
     * @param chips   the catalog's chip types by id
     * @param network for the communication plan of the new layout (its ports are set at commit)
     */
    public static Optional<Plan> replace(Plan plan, Set<Integer> lost, ClusterSnapshot free,
                                         Function<String, ChipType> chips, NetworkConfig network) {
        if (lost.isEmpty()) {
            return Optional.empty();
        }
        ClusterSnapshot left = free;
        List<ShardPlan> shards = new ArrayList<>(plan.shards());
        for (int rank : new TreeSet<>(lost)) {
            ShardPlan s = shards.get(rank);
            int need = s.devices().size();
            Optional<NodeView> host = left.nodesWith(s.chipType()).stream().filter(n -> n.free(s.chipType()) >= need)
                    .findFirst();
            if (host.isEmpty()) {
                return Optional.empty();
            }
            List<Integer> devices = host.get().freeDevices().get(s.chipType()).stream().sorted().limit(need).toList();
            shards.set(rank, new ShardPlan(s.shard(), host.get().name(), host.get().address(), s.chipType(), s.vendor(),
                    devices, s.precision(), s.microBatch(), s.accumulation(), s.samplesPerSec()));
            left = left.withoutDevices(Map.of(host.get().name(), Set.copyOf(devices)));
        }
        return Optional.of(new Plan(plan.precision(), shards, plan.predictedSamplesPerSec(), plan.stepTimeSec(),
                plan.communicationSec(), plan.vendorShares(), plan.chips(), CommPlanner.plan(shards, chips, network),
                plan.splitVersion()));
    }
}
