package io.tessera.scheduler.placement;

import io.tessera.config.ChipType;
import io.tessera.config.JobSpec;
import java.util.Optional;

/** Vetoes chip types that support none of the job's acceptable precisions. */
public final class PrecisionCheck implements ChipCheck {
    @Override
    public Optional<Veto> check(ChipType chip, JobSpec job, ClusterSnapshot snapshot, PlacementPolicy policy) {
        if (chip.bestOf(job.precisions()).isPresent()) {
            return Optional.empty();
        }
        return Optional.of(new Veto(chip.id(), VetoReason.PRECISION,
                "supports none of " + job.precisions().stream().map(p -> p.wireName()).toList()));
    }
}
