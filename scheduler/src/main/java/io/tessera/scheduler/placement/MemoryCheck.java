package io.tessera.scheduler.placement;

import io.tessera.config.ChipType;
import io.tessera.config.JobSpec;
import io.tessera.config.Precision;
import java.util.Locale;
import java.util.Optional;

/**
 * Vetoes chip types on which not even micro-batch 1 fits: training state per device plus one
 * sample's activations exceed the HBM left after headroom, at every acceptable precision the chip has.
 */
public final class MemoryCheck implements ChipCheck {
    @Override
    public Optional<Veto> check(ChipType chip, JobSpec job, ClusterSnapshot snapshot, PlacementPolicy policy) {
        for (Precision p : job.precisions()) {
            if (chip.supports(p) && MemoryModel.maxMicroBatch(chip, job, p, policy.memoryHeadroom()) >= 1) {
                return Optional.empty();
            }
        }
        Precision p = chip.bestOf(job.precisions()).orElse(job.precisions().get(0));
        double need = MemoryModel.stateGiBPerDevice(job, p) + MemoryModel.activationGiBPerDevice(job);
        return Optional.of(new Veto(chip.id(), VetoReason.MEMORY, String.format(Locale.ROOT,
                "needs %.1f GiB per device at micro-batch 1, has %.1f GiB usable", need,
                MemoryModel.usableGiB(chip, policy.memoryHeadroom()))));
    }
}
