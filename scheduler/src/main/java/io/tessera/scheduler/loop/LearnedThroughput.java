package io.tessera.scheduler.loop;

import java.util.Optional;
import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpec;
import io.tessera.config.Precision;
import io.tessera.scheduler.model.ThroughputProfile;
import io.tessera.scheduler.placement.CatalogThroughputModel;
import io.tessera.scheduler.placement.MeasuredThroughputModel;
import io.tessera.scheduler.policy.EfficiencyLearning;
import io.tessera.scheduler.state.ProfileStore;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.LongSupplier;

/**
 * The learned profiles as placement sees them: for a job of a class that has run before, a chip
 * type's samples/s is the catalog's estimate times the factor learned for that chip and precision
 * ({@link EfficiencyLearning}); for anything unlearned, no measurement, so the catalog's estimate
 * stands. Placement reads an immutable copy, replaced only by {@link #refresh} (at most once per
 * {@link #REFRESH_MS}), which only the scheduling loop's thread calls, at the start of a pass:
 * so the loop's placements never see two versions. A dry run on an API thread may see a copy
 * replaced while it places; it only reads, and a second dry run sees the newer one.
 */
public final class LearnedThroughput implements MeasuredThroughputModel.Measurements {
    static final long REFRESH_MS = 1000;
    private static final CatalogThroughputModel CATALOG = new CatalogThroughputModel();
    private final ProfileStore store;
    private final ChipCatalog catalog;
    private final LongSupplier clock;
    private volatile Map<String, ThroughputProfile> profiles = Map.of();
    private volatile long refreshedAt = Long.MIN_VALUE / 2;

    public LearnedThroughput(ProfileStore store, ChipCatalog catalog, LongSupplier clock) {
        this.store = store;
        this.catalog = catalog;
        this.clock = clock;
    }

    /** Re-reads the profiles when the copy is older than {@link #REFRESH_MS}; call between placements. */
    public void refresh() {
        long now = clock.getAsLong();
        if (now - refreshedAt >= REFRESH_MS) {
            profiles = store.all();
            refreshedAt = now;
        }
    }

    /** The factor learned for {@code job}'s class on {@code chipType} at {@code precision}, if any. */
    public OptionalDouble factor(JobSpec job, String chipType, Precision precision) {
        ThroughputProfile p = profiles.get(EfficiencyLearning.key(job));
        ThroughputProfile.Estimate e = p == null ? null : p.estimates().get(ThroughputProfile.slot(chipType,
                precision.wireName()));
        return e == null ? OptionalDouble.empty() : OptionalDouble.of(e.factor());
    }

    /** The learned estimate itself, for display. */
    public Optional<ThroughputProfile.Estimate> estimate(JobSpec job, String chipType, String precision) {
        ThroughputProfile p = profiles.get(EfficiencyLearning.key(job));
        return Optional.ofNullable(p == null ? null : p.estimates().get(ThroughputProfile.slot(chipType, precision)));
    }

    @Override
    public OptionalDouble samplesPerSec(JobSpec job, String chipType, Precision precision) {
        OptionalDouble f = factor(job, chipType, precision);
        if (f.isEmpty()) {
            return OptionalDouble.empty();
        }
        return catalog.byId(chipType).map(chip -> OptionalDouble.of(f.getAsDouble()
                * CATALOG.shardSamplesPerSec(chip, precision, job))).orElse(OptionalDouble.empty());
    }
}
