package io.tessera.scheduler.loop;

import io.tessera.config.QueueSpec;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.placement.PlacementPolicy;

/**
 * A queued job as the admission gates see it in one pass: its queue, the placement policy that
 * queue sets, and whether it is owed a reservation when it does not fit ({@code head}: its queue's
 * first job, or one that already holds a reservation).
 */
record Candidate(JobRecord job, QueueSpec queue, PlacementPolicy policy, boolean head) {
    String id() {
        return job.id();
    }
}
