package io.tessera.scheduler.model;

import java.util.Map;
import java.util.TreeMap;

/**
 * What Tessera learned about one job class's throughput: per chip type and precision, how fast
 * its shards really ran against the catalog's estimate. It seeds the next placement of the same
 * class (docs/placement.md, "Learned throughput"). The class is the job's {@code profileKey}, else
 * its name.
 *
 * @param key       the job class
 * @param estimates by {@link #slot(String, String) chip type and precision}
 */
public record ThroughputProfile(String key, Map<String, Estimate> estimates) {
    public ThroughputProfile {
        estimates = Map.copyOf(new TreeMap<>(estimates));
    }

    /**
     * One chip type at one precision.
     *
     * @param chipType     catalog chip id
     * @param precision    wire name
     * @param factor       measured samples/s over the catalog's estimate, smoothed (1: as the catalog says)
     * @param efficiency   the achieved fraction of peak it implies: the catalog's (or the job's) efficiency x factor
     * @param observations how many measurements went into it
     * @param updatedAt    when the last one did
     */
    public record Estimate(String chipType, String precision, double factor, double efficiency, long observations,
                           String updatedAt) {
    }

    /** The key of a chip type and precision within a profile. */
    public static String slot(String chipType, String precision) {
        return chipType + "/" + precision;
    }
}
