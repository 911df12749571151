package io.tessera.scheduler.placement;

import io.tessera.config.Precision;
import java.util.List;

/**
 * One shard of a plan.
 *
 * @param shard            rank, 0..n-1
 * @param node             the node it runs on
 * @param nodeAddress      that node's address
 * @param chipType         catalog chip id
 * @param vendor           the chip's vendor
 * @param devices          device indices on the node
 * @param precision        training precision
 * @param microBatch       samples per micro-step
 * @param accumulation     micro-steps per optimizer step
 * @param samplesPerSec    predicted throughput of this shard at {@code precision}
 */
public record ShardPlan(int shard, String node, String nodeAddress, String chipType, String vendor,
                        List<Integer> devices, Precision precision, int microBatch, int accumulation,
                        double samplesPerSec) {
    public ShardPlan {
        devices = List.copyOf(devices);
    }

    /** Samples this shard processes per optimizer step. */
    public long samplesPerStep() {
        return (long) microBatch * accumulation;
    }
}
