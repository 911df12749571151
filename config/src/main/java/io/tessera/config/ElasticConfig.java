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
 */
public record ElasticConfig(Double growMinGain, Long growCheckIntervalMs, Double migrateMinGain) {
    public ElasticConfig(Double growMinGain, Long growCheckIntervalMs) {
        this(growMinGain, growCheckIntervalMs, null);
    }

    public ElasticConfig {
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

    public static final ElasticConfig DEFAULT = new ElasticConfig(null, null, null);

    /** Whether growing is switched on. */
    public boolean enabled() {
        return growMinGain > 0 || migrateMinGain > 0;
    }
}
