package io.tessera.scheduler.loop;

import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.state.PlanApplier;
import java.util.List;

/**
 * A plan the queue pass decided for one job, to commit: with how long deciding it took and the chip
 * types vetoed on the way (for the placement metrics).
 */
record PlacementDecision(PlanApplier.Proposal proposal, long nanos, List<String> vetoes) {
    PlacementDecision {
        vetoes = List.copyOf(vetoes);
    }

    Plan plan() {
        return proposal.plan();
    }
}
