package io.tessera.scheduler.service;

import io.tessera.config.JobSpec;
import io.tessera.config.JobSpecParser;
import io.tessera.scheduler.placement.PlacementPolicy;
import io.tessera.scheduler.placement.PlacementResult;
import io.tessera.scheduler.placement.Placer;
import io.tessera.scheduler.state.ClusterView;

/**
 * Dry runs: places a job on the live cluster's current free capacity without committing anything,
 * over this member's {@link ClusterView} (refreshed first, so it costs what changed since the last
 * dry run, not the fleet's size). Blocking.
 */
public final class PlanService {
    private final ClusterView view;
    private final JobSpecParser parser;
    private final Placer placer;
    private final PlacementPolicy policy;

    public PlanService(ClusterView view, JobSpecParser parser, Placer placer, PlacementPolicy policy) {
        this.view = view;
        this.parser = parser;
        this.placer = placer;
        this.policy = policy;
    }

    /**
     * Why no state of the fleet could ever hold {@code spec}: it does not fit every registered
     * node, all healthy and idle. Empty when it could, or while no node has registered (a fleet
     * still coming up refuses nothing).
     */
    public java.util.Optional<String> neverFits(JobSpec spec) {
        view.current(); // refresh: this member may not be the leader
        var idle = view.capacity();
        if (idle.nodes().isEmpty() || !(placer.place(idle, "fit-check", spec, policy)
                instanceof PlacementResult.Unschedulable u)) {
            return java.util.Optional.empty();
        }
        String vetoes = u.chips().stream().map(c -> c.veto().toString()).distinct()
                .collect(java.util.stream.Collectors.joining("; "));
        return java.util.Optional.of(u.summary() + (vetoes.isEmpty() ? "" : " (per chip type: " + vetoes + ")"));
    }

    /** @throws io.tessera.config.ValidationException when the job spec is invalid */
    public PlacementResult dryRun(byte[] body, String contentType) {
        JobSpec spec = parser.parse(body, contentType);
        return placer.place(view.current(), "dry-run", spec, policy);
    }
}
