package io.tessera.config;

/**
 * When a running elastic job (shards.min &lt; shards.max) is grown back onto capacity that returned
 * (docs/operations.md, "Vendor loss and grow-back").
 *
 * @param growMinGain        the least predicted throughput gain, as a fraction of the current plan's,
 *                           worth a gang restart; 0 disables growing
 * @param growCheckIntervalMs how often the leader re-evaluates each running elastic job
 */
public record ElasticConfig(Double growMinGain, Long growCheckIntervalMs) {
    public ElasticConfig {
        growMinGain = growMinGain == null ? 0.10 : growMinGain;
        if (growMinGain < 0 || growMinGain > 10) {
            throw new ValidationException("elastic.growMinGain", "must be between 0 and 10, got " + growMinGain);
        }
        growCheckIntervalMs = SchedulerConfig.check("elastic.growCheckIntervalMs",
                growCheckIntervalMs == null ? 5000L : growCheckIntervalMs, 100, 3_600_000);
    }

    public static final ElasticConfig DEFAULT = new ElasticConfig(null, null);

    /** Whether growing is switched on. */
    public boolean enabled() {
        return growMinGain > 0;
    }
}
