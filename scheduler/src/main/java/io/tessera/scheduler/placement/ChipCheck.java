package io.tessera.scheduler.placement;

import io.tessera.config.ChipType;
import io.tessera.config.JobSpec;
import java.util.Optional;

/**
 * A feasibility stage: decides whether one chip type can take shards of a job at all.
 * Returns a typed veto, or empty when the chip type passes. Pure.
 */
@FunctionalInterface
public interface ChipCheck {
    Optional<Veto> check(ChipType chip, JobSpec job, ClusterSnapshot snapshot, PlacementPolicy policy);
}
