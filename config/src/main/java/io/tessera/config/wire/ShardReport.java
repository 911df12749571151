package io.tessera.config.wire;

import java.util.List;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The state of one shard's worker on an agent.
 *
 * @param jobId      the job
 * @param shard      the shard index (rank)
 * @param attempt    the gang attempt it belongs to; reports for older attempts are ignored
 * @param phase      where the process is
 * @param exitCode   set once EXITED or KILLED
 * @param pid        the worker's process id while known
 * @param step       the last training step the worker reported, if any
 * @param totalSteps the step count the worker aims for, if it said
 * @param message    a short human-readable note (why it failed to start, ...)
 * @param samplesPerSec the throughput the worker last measured for this shard, if it reports one
 * @param checkpointStep the step of the latest checkpoint the worker said it wrote
 *                       ({@code TESSERA_CHECKPOINT step=N}), if any
 * @param exit       once the worker ended: when, by the agent's clock, and the last lines of its output
 * @param split      the batch split version the worker's last progress line says it runs ({@code split=N}), if any
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ShardReport(String jobId, int shard, int attempt, ShardPhase phase, Integer exitCode, Long pid,
                          Long step, Long totalSteps, String message, Double samplesPerSec,
                          Long checkpointStep, Exit exit, Integer split) {

    public ShardReport(String jobId, int shard, int attempt, ShardPhase phase, Integer exitCode, Long pid,
                       Long step, Long totalSteps, String message, Double samplesPerSec, Long checkpointStep, Exit exit) {
        this(jobId, shard, attempt, phase, exitCode, pid, step, totalSteps, message, samplesPerSec, checkpointStep, exit,
                null);
    }

    /** Before the worker has ended. */
    public ShardReport(String jobId, int shard, int attempt, ShardPhase phase, Integer exitCode, Long pid,
                       Long step, Long totalSteps, String message, Double samplesPerSec, Long checkpointStep) {
        this(jobId, shard, attempt, phase, exitCode, pid, step, totalSteps, message, samplesPerSec, checkpointStep, null);
    }

    /**
     * How a worker ended.
     *
     * @param atMs    epoch millis of the exit by the agent's clock: which shard of a gang failed first
     * @param tail    the last {@value #TAIL_LINES} lines of its output (stdout and stderr, as one stream), oldest first
     */
    public record Exit(long atMs, List<String> tail) {
        public static final int TAIL_LINES = 20;

        public Exit {
            tail = tail == null ? List.of() : List.copyOf(tail);
        }
    }

    /** The key of the shard across attempts: {@code jobId/shard}. */
    public String key() {
        return jobId + "/" + shard;
    }
}
