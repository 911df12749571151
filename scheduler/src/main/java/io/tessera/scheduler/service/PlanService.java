package io.tessera.scheduler.service;

import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpec;
import io.tessera.config.JobSpecParser;
import io.tessera.scheduler.placement.PlacementPolicy;
import io.tessera.scheduler.placement.PlacementResult;
import io.tessera.scheduler.placement.Placer;
import io.tessera.scheduler.state.ClusterStore;
import io.tessera.scheduler.state.SnapshotBuilder;

/** Dry runs: places a job on the live cluster's current free capacity without committing anything. Blocking. */
public final class PlanService {
    private final ClusterStore store;
    private final JobSpecParser parser;
    private final Placer placer;
    private final PlacementPolicy policy;
    private final ChipCatalog catalog;

    public PlanService(ClusterStore store, JobSpecParser parser, Placer placer, PlacementPolicy policy,
                       ChipCatalog catalog) {
        this.store = store;
        this.parser = parser;
        this.placer = placer;
        this.policy = policy;
        this.catalog = catalog;
    }

    /** @throws io.tessera.config.ValidationException when the job spec is invalid */
    public PlacementResult dryRun(byte[] body, String contentType) {
        JobSpec spec = parser.parse(body, contentType);
        return placer.place(SnapshotBuilder.build(catalog, store.nodes(), store.allAssignments()), "dry-run", spec,
                policy);
    }
}
