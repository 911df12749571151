package io.tessera.scheduler.loop;

import io.tessera.config.ChipCatalog;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.ThroughputProfile;
import io.tessera.scheduler.policy.EfficiencyLearning;
import io.tessera.scheduler.state.Change;
import io.tessera.scheduler.state.ClusterReads;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * Feeds a running job's measurements into its class's profile ({@link EfficiencyLearning}) and
 * proposes the profile for writing when what it says moved: a factor by more than {@link #MIN_CHANGE}, a
 * new chip type, or every {@link #WRITE_EVERY} observations, so a steady job does not write the
 * store at every check.
 */
public final class ProfileLearner implements Rebalancer.Learner {
    static final double MIN_CHANGE = 0.02;
    static final int WRITE_EVERY = 12;
    private final ClusterReads store;
    private final ChipCatalog catalog;
    private final double rate;
    private final Clock clock;
    /** The profiles as this leader last learned them ({@link CycleMemory#learned}). */
    private final Map<String, ThroughputProfile> cache;

    /** @param memory what the loop carries from pass to pass */
    public ProfileLearner(ClusterReads store, ChipCatalog catalog, double rate, Clock clock, CycleMemory memory) {
        this.cache = memory.learned;
        this.store = store;
        this.catalog = catalog;
        this.rate = rate;
        this.clock = clock;
    }

    @Override
    public Optional<Change.LearnProfile> observe(JobRecord job, Map<Integer, ShardReport> reports) {
        if (reports.values().stream().noneMatch(r -> r.samplesPerSec() != null)) {
            return Optional.empty(); // nothing measured: no read, no write
        }
        String key = EfficiencyLearning.key(job.spec());
        ThroughputProfile stored = store.profile(key).orElse(null); // an admin may have reset it meanwhile
        ThroughputProfile previous = cache.containsKey(key) && stored != null ? cache.get(key) : stored;
        Optional<ThroughputProfile> next = EfficiencyLearning.learn(previous, job.spec(), job.placement().shards(),
                reports, catalog, rate, clock.instant().toString());
        next.ifPresent(p -> cache.put(key, p));
        return next.filter(p -> worthWriting(stored, p)).map(Change.LearnProfile::new);
    }

    private static boolean worthWriting(ThroughputProfile stored, ThroughputProfile next) {
        if (stored == null) {
            return true;
        }
        for (ThroughputProfile.Estimate e : next.estimates().values()) {
            ThroughputProfile.Estimate old = stored.estimates().get(ThroughputProfile.slot(e.chipType(), e.precision()));
            if (old == null || Math.abs(old.factor() - e.factor()) > MIN_CHANGE
                    || e.observations() - old.observations() >= WRITE_EVERY) {
                return true;
            }
        }
        return false;
    }
}
