package io.tessera.scheduler.placement;

import io.tessera.config.ChipType;
import io.tessera.config.JobSpec;
import java.util.Locale;
import java.util.Optional;

/** Vetoes chip types whose memory, less headroom, cannot hold a shard's training state per device. */
public final class MemoryCheck implements ChipCheck {
    @Override
    public Optional<Veto> check(ChipType chip, JobSpec job, ClusterSnapshot snapshot, PlacementPolicy policy) {
        double need = MemoryModel.stateGiBPerDevice(job);
        double have = MemoryModel.usableGiB(chip, policy.memoryHeadroom());
        if (need <= have) {
            return Optional.empty();
        }
        return Optional.of(new Veto(chip.id(), VetoReason.MEMORY, String.format(Locale.ROOT,
                "needs %.1f GiB per device at micro-batch 1, has %.1f GiB usable", need, have)));
    }
}
