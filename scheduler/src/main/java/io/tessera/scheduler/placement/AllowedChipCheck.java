package io.tessera.scheduler.placement;

import io.tessera.config.ChipType;
import io.tessera.config.JobSpec;
import java.util.Optional;

/** Vetoes chip types outside the job's {@code chipTypes} list (an empty list allows all). */
public final class AllowedChipCheck implements ChipCheck {
    @Override
    public Optional<Veto> check(ChipType chip, JobSpec job, ClusterSnapshot snapshot, PlacementPolicy policy) {
        if (job.chipTypes().isEmpty() || job.chipTypes().contains(chip.id())) {
            return Optional.empty();
        }
        return Optional.of(new Veto(chip.id(), VetoReason.NOT_ALLOWED, "not in the job's chipTypes"));
    }
}
