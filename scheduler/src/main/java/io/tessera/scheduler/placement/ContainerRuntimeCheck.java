package io.tessera.scheduler.placement;

import io.tessera.config.ChipType;
import io.tessera.config.JobSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Keeps shards that run in a container image off nodes without a container runtime. A chip type
 * whose shards run in an image (the job's {@code image}, or its variant's) is vetoed with
 * {@link VetoReason#NO_CONTAINER_RUNTIME} when none of the nodes with free devices of it has a
 * runtime; {@link #usable} is the snapshot the rest of placement searches, with those devices
 * left out of the nodes that have none. Pure.
 */
public final class ContainerRuntimeCheck implements ChipCheck {
    @Override
    public Optional<Veto> check(ChipType chip, JobSpec job, ClusterSnapshot snapshot, PlacementPolicy policy) {
        if (job.workerFor(chip).image() == null || snapshot.nodesWith(chip.id()).stream().anyMatch(NodeView::containers)) {
            return Optional.empty();
        }
        return Optional.of(new Veto(chip.id(), VetoReason.NO_CONTAINER_RUNTIME, "its shards run in image "
                + job.workerFor(chip).image() + ", and no node with free devices of it has a container runtime"));
    }

    /**
     * {@code snapshot} as a job may use it: a node without a container runtime offers none of the
     * chip types the job runs in an image. The same snapshot when the job uses no images or every
     * node has a runtime.
     */
    static ClusterSnapshot usable(ClusterSnapshot snapshot, JobSpec job) {
        if (!job.usesImages()) {
            return snapshot;
        }
        Set<String> inImages = new HashSet<>();
        for (String id : snapshot.chipTypes()) {
            snapshot.catalog().byId(id).filter(c -> job.workerFor(c).image() != null).ifPresent(c -> inImages.add(id));
        }
        List<NodeView> changed = new ArrayList<>();
        for (NodeView n : snapshot.nodes()) {
            if (!n.containers() && n.freeDevices().keySet().stream().anyMatch(inImages::contains)) {
                changed.add(n.without(inImages));
            }
        }
        return changed.isEmpty() ? snapshot : snapshot.with(changed, List.of());
    }
}
