package io.tessera.agent.worker;

import io.tessera.config.wire.ShardAssignment;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a running worker learns without being restarted: the files the scheduler's changes to its
 * assignment rewrite. A new batch split goes to its split file (it adopts the split at its next
 * checkpoint); a new gang generation, with where the gang now meets, to its gang file (it re-forms
 * the gang when a peer was restarted in place or replaced). A file that cannot be written is
 * logged; the worker keeps running on what it had. Called under the supervisor's lock.
 */
final class RunningWorkerFiles {
    private static final Logger LOG = LoggerFactory.getLogger(RunningWorkerFiles.class);
    private final ShardFiles files;

    RunningWorkerFiles(ShardFiles files) {
        this.files = files;
    }

    /** The scheduler re-split the running attempt's batch. */
    void resplit(Worker w, ShardAssignment a) {
        w.splits.add(new ShardFiles.Split(a.splitVersion(), a.microBatch(), a.accumulation()));
        try {
            files.writeSplits(w.assignment, w.splits, w.uid);
            LOG.info("shard {} of {} (attempt {}): batch split {} is micro-batch {} x {}", a.shard(), a.jobId(),
                    a.attempt(), a.splitVersion(), a.microBatch(), a.accumulation());
        } catch (IOException e) {
            LOG.warn("could not write split {} of shard {} of {}: {}", a.splitVersion(), a.shard(), a.jobId(),
                    e.getMessage());
        }
    }

    /** A peer was restarted in place or replaced: the gang's new generation, and its rendezvous as {@code a} has it. */
    void regenerate(Worker w, ShardAssignment a) {
        w.generation = a.generation();
        try {
            files.writeGang(a, w.generation, w.uid);
        } catch (IOException e) {
            LOG.warn("could not write the gang file of shard {} of {}: {}", a.shard(), a.jobId(), e.getMessage());
        }
    }
}
