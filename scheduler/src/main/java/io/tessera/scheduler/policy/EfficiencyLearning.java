package io.tessera.scheduler.policy;

import io.tessera.config.ChipCatalog;
import io.tessera.config.ChipType;
import io.tessera.config.JobSpec;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.model.ThroughputProfile;
import io.tessera.scheduler.placement.CatalogThroughputModel;
import io.tessera.scheduler.placement.ShardPlan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Learns a job class's achieved efficiency from its shards' measured samples/s. For each chip type
 * and precision of a running plan, the observation is the median over its shards of measured
 * samples/s divided by the catalog's estimate ({@link CatalogThroughputModel}); the estimate is an
 * exponentially weighted moving average of the observations, {@code f <- f + rate x (obs - f)}, the
 * first observation taken as it is. With rate 0.3 an estimate is 83% of the way to a new true speed
 * after five observations. The achieved efficiency is the catalog's (or the job's own) efficiency
 * times that factor. Pure.
 *
 * <p>Workers are untrusted, so what they measure is bounded (issue 27, N7: one job moved another
 * team's factor to 1.3e10): a profile belongs to one queue's job class ({@link #key}); no chip
 * achieves more than its peak, so the achieved efficiency stays within
 * [{@link #MIN_EFFICIENCY}, 1]; and after the first observation one observation moves the
 * estimate at most {@link #MAX_STEP} times up or down.
 */
public final class EfficiencyLearning {
    private static final CatalogThroughputModel CATALOG = new CatalogThroughputModel();

    private EfficiencyLearning() {
    }

    /** The lowest achieved efficiency learned: below it a measurement is broken, not slow. */
    public static final double MIN_EFFICIENCY = 0.005;
    /** The most one observation moves an estimate, as a factor up or down. */
    public static final double MAX_STEP = 2.0;

    /**
     * The profile a job class's key names: its {@code profileKey}, else its name, within its queue
     * ({@code name@queue}): one queue's jobs cannot move another's predictions.
     */
    public static String key(JobSpec job) {
        String explicit = job.scheduling().profileKey();
        return (explicit != null ? explicit : job.name()) + "@" + job.queue();
    }

    /**
     * {@code previous} (null: nothing learned yet) updated with what {@code reports} measured of
     * {@code shards}; empty when no shard measured anything.
     */
    public static Optional<ThroughputProfile> learn(ThroughputProfile previous, JobSpec job, List<ShardPlan> shards,
                                                    Map<Integer, ShardReport> reports, ChipCatalog catalog,
                                                    double rate, String now) {
        Map<String, List<Double>> ratios = new HashMap<>();
        Map<String, ShardPlan> example = new HashMap<>();
        for (ShardPlan s : shards) {
            ShardReport r = reports.get(s.shard());
            ChipType chip = catalog.byId(s.chipType()).orElse(null);
            double estimate = chip == null ? 0 : CATALOG.shardSamplesPerSec(chip, s.precision(), job);
            if (r != null && r.samplesPerSec() != null && r.samplesPerSec() > 0 && estimate > 0) {
                String slot = ThroughputProfile.slot(s.chipType(), s.precision().wireName());
                ratios.computeIfAbsent(slot, k -> new ArrayList<>()).add(r.samplesPerSec() / estimate);
                example.putIfAbsent(slot, s);
            }
        }
        if (ratios.isEmpty()) {
            return Optional.empty();
        }
        Map<String, ThroughputProfile.Estimate> next = new HashMap<>(previous == null ? Map.of() : previous.estimates());
        ratios.forEach((slot, observed) -> {
            ShardPlan s = example.get(slot);
            ChipType chip = catalog.byId(s.chipType()).orElseThrow();
            double base = job.efficiency().getOrDefault(chip.id(), chip.efficiency());
            ThroughputProfile.Estimate old = next.get(slot);
            double obs = bounded(median(observed), base, old);
            double factor = old == null ? obs : old.factor() + rate * (obs - old.factor());
            next.put(slot, new ThroughputProfile.Estimate(s.chipType(), s.precision().wireName(), factor, base * factor,
                    old == null ? 1 : old.observations() + 1, now));
        });
        return Optional.of(new ThroughputProfile(key(job), next));
    }

    /** {@code obs} within what the chip can physically achieve, and within {@link #MAX_STEP} of {@code old}. */
    static double bounded(double obs, double base, ThroughputProfile.Estimate old) {
        double x = Math.min(Math.max(obs, MIN_EFFICIENCY / base), 1.0 / base);
        return old == null ? x : Math.min(Math.max(x, old.factor() / MAX_STEP), old.factor() * MAX_STEP);
    }

    static double median(List<Double> xs) {
        double[] s = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
