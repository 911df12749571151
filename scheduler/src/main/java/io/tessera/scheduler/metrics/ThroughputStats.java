package io.tessera.scheduler.metrics;

import java.util.List;

/**
 * The throughput loop at one moment, as the gauges export it: each running shard's predicted and
 * measured samples/s, and what each job class learned per chip type and precision.
 *
 * @param shards  one row per running shard
 * @param learned one row per profile estimate
 */
public record ThroughputStats(List<Shard> shards, List<Learned> learned) {
    public ThroughputStats {
        shards = List.copyOf(shards);
        learned = List.copyOf(learned);
    }

    /** A running shard: the scheduler's prediction, and what its worker measured (null until it says). */
    public record Shard(String jobId, String jobName, int shard, String chipType, double predicted, Double measured) {
    }

    /** A learned estimate: the achieved efficiency, and the speed against the catalog's estimate. */
    public record Learned(String profile, String chipType, String precision, double efficiency, double speed) {
    }
}
