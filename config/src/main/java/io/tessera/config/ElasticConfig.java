package io.tessera.config;

/**
 * When a running job is moved, at its next checkpoint, to a better plan on capacity that freed:
 * an elastic job (shards.min &lt; shards.max) grown back onto returned capacity, and a job of any
 * kind migrated to faster chips (docs/operations.md, "Vendor loss and grow-back").
 *
 * @param growMinGain        the least predicted throughput gain, as a fraction of the current plan's,
 *                           worth a gang restart to grow an elastic job; 0 disables growing
 * @param growCheckIntervalMs how often the leader re-evaluates each running job
 * @param migrateMinGain     the least predicted gain worth moving a non-elastic gang to other chips
 *                           (default 0.5: half as fast again); 0 disables migration
 * @param rebalanceTolerance how far the measured compute times of a gang's shards may spread, as a
 *                           fraction of the slowest, before the batch is re-split by measured speed
 *                           (default 0.05); 0 disables rebalancing
 * @param learningRate       the weight of each new measurement in the learned efficiency, an
 *                           exponentially weighted moving average (default 0.3)
 */
public record ElasticConfig(Double growMinGain, Long growCheckIntervalMs, Double migrateMinGain,
                            Double rebalanceTolerance, Double learningRate) {
    public ElasticConfig(Double growMinGain, Long growCheckIntervalMs) {
        this(growMinGain, growCheckIntervalMs, null);
    }

    public ElasticConfig(Double growMinGain, Long growCheckIntervalMs, Double migrateMinGain) {
        this(growMinGain, growCheckIntervalMs, migrateMinGain, null, null);
    }

    public ElasticConfig {
        rebalanceTolerance = rebalanceTolerance == null ? 0.05 : rebalanceTolerance;
        if (rebalanceTolerance < 0 || rebalanceTolerance >= 1) {
            throw new ValidationException("elastic.rebalanceTolerance", "must be in [0, 1), got " + rebalanceTolerance);
        }
        learningRate = learningRate == null ? 0.3 : learningRate;
        if (!(learningRate > 0) || learningRate > 1) {
            throw new ValidationException("elastic.learningRate", "must be in (0, 1], got " + learningRate);
        }
        migrateMinGain = migrateMinGain == null ? 0.5 : migrateMinGain;
        if (migrateMinGain < 0 || migrateMinGain > 10) {
            throw new ValidationException("elastic.migrateMinGain", "must be between 0 and 10, got " + migrateMinGain);
        }
        growMinGain = growMinGain == null ? 0.10 : growMinGain;
        if (growMinGain < 0 || growMinGain > 10) {
            throw new ValidationException("elastic.growMinGain", "must be between 0 and 10, got " + growMinGain);
        }
        growCheckIntervalMs = SchedulerConfig.check("elastic.growCheckIntervalMs",
                growCheckIntervalMs == null ? 5000L : growCheckIntervalMs, 100, 3_600_000);
    }

    public static final ElasticConfig DEFAULT = new ElasticConfig(null, null, null, null, null);

    /** Whether growing is switched on. */
    public boolean enabled() {
        return growMinGain > 0 || migrateMinGain > 0;
    }
}
