package io.tessera.scheduler.placement;

import io.tessera.config.ChipType;
import io.tessera.config.JobSpec;
import java.util.Optional;

/** Vetoes chip types outside the job's {@code chipTypes} list (an empty list allows all) or of a vendor it rules out. */
public final class AllowedChipCheck implements ChipCheck {
    @Override
    public Optional<Veto> check(ChipType chip, JobSpec job, ClusterSnapshot snapshot, PlacementPolicy policy) {
        if (job.allows(chip)) {
            return Optional.empty();
        }
        return Optional.of(new Veto(chip.id(), VetoReason.NOT_ALLOWED, job.vendorPolicy().allows(chip.vendor())
                ? "not in the job's chipTypes" : "its vendor, " + chip.vendor() + ", is ruled out by the job's vendors/excludeVendors"));
    }
}
