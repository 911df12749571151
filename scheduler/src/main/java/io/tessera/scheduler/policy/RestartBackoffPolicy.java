package io.tessera.scheduler.policy;

import io.tessera.scheduler.model.EventType;
import io.tessera.config.LimitsConfig.RestartBackoff;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import java.time.Instant;

/**
 * When a restarted job may be placed again. Pure: a job whose latest requeue was a counted
 * restart after a shard failed (a {@code RESTARTING} event that carries the new attempt; free
 * re-placements, and restarts because a node was lost, carry none: the fleet is at fault) waits {@link RestartBackoff#delayMs}
 * of its restart count after that event; any other queued job may be placed at once. A gang that
 * Tessera could not start ({@code SHARD_NOT_STARTED}) backs off the same way, counting those
 * tries, though they spend no restart: a broken node is not hammered.
 */
public final class RestartBackoffPolicy {
    private RestartBackoffPolicy() {
    }

    /** Epoch millis before which {@code job} is not placed; 0 when it may be placed now. */
    public static long notBeforeMs(JobRecord job, RestartBackoff backoff) {
        int tries = job.restarts() + (int) job.events().stream().filter(e -> e.type() == EventType.SHARD_NOT_STARTED).count();
        if (tries == 0 || backoff.initialMs() == 0) {
            return 0;
        }
        for (int i = job.events().size() - 1; i >= 0; i--) {
            JobEvent e = job.events().get(i);
            if (e.type() == EventType.PLACED || e.type() == EventType.PREEMPTED || e.type() == EventType.EVACUATED) {
                return 0; // requeued since for a reason that does not back off
            }
            if (e.type() == EventType.RESTARTING) {
                return e.attempt() != null && e.attempt() == job.attempt()
                        ? Instant.parse(e.at()).toEpochMilli() + backoff.delayMs(tries) : 0;
            }
        }
        return 0;
    }
}
