package io.tessera.scheduler.placement;

import io.tessera.config.ChipType;
import io.tessera.config.JobSpec;
import java.util.Optional;

/** Vetoes chip types of which no single node has devicesPerShard free devices. */
public final class CapacityCheck implements ChipCheck {
    @Override
    public Optional<Veto> check(ChipType chip, JobSpec job, ClusterSnapshot snapshot, PlacementPolicy policy) {
        int best = snapshot.maxFree(chip.id());
        if (best >= job.devicesPerShard()) {
            return Optional.empty();
        }
        return Optional.of(new Veto(chip.id(), VetoReason.INSUFFICIENT_DEVICES,
                "at most " + best + " free on one node, a shard needs " + job.devicesPerShard()));
    }
}
