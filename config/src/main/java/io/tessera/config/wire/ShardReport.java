package io.tessera.config.wire;

import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * The state of one shard's worker on an agent. On the wire (JSON) the {@link Progress} part is
 * unwrapped: one flat object, as before it was grouped; each of its fields keeps an accessor here.
 *
 * @param jobId      the job
 * @param shard      the shard index (rank)
 * @param attempt    the gang attempt it belongs to; reports for older attempts are ignored
 * @param phase      where the process is
 * @param exitCode   set once EXITED or KILLED
 * @param pid        the worker's process id while known
 * @param message    a short human-readable note (why it failed to start, ...)
 * @param exit       once the worker ended: when, by the agent's clock, and the last lines of its output
 * @param progress   what the worker's output last said about its training (never null)
 * @param imageDigest the digest of the image its container runs; null for a host process
 * @param refusal    why the agent refused to start it (phase REFUSED); null otherwise
 * @param incarnation the worker's incarnation at its attempt ({@link ShardAssignment#incarnation()}); null: 0.
 *                    Within an attempt, reports of an older incarnation are ignored
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ShardReport(String jobId, int shard, int attempt, ShardPhase phase, Integer exitCode, Long pid,
                          String message, Exit exit, @JsonUnwrapped Progress progress, String imageDigest,
                          Refusal refusal, Integer incarnation) {

    public ShardReport(String jobId, int shard, int attempt, ShardPhase phase, Integer exitCode, Long pid,
                       String message, Exit exit, Progress progress, String imageDigest, Refusal refusal) {
        this(jobId, shard, attempt, phase, exitCode, pid, message, exit, progress, imageDigest, refusal, null);
    }

    /** The incarnation of the worker this report is about (0 until it was first restarted in place). */
    public int incarnationOrZero() {
        return incarnation == null ? 0 : incarnation;
    }

    /** Whether this report is about a later worker of the shard than {@code other}: a later attempt, or incarnation. */
    public boolean newerThan(ShardReport other) {
        return attempt != other.attempt ? attempt > other.attempt : incarnationOrZero() > other.incarnationOrZero();
    }

    public ShardReport {
        progress = progress == null ? Progress.NONE : progress;
    }

    /** Why an agent refused to start a shard: each a fault of the job's spec, so no restart could help. */
    public enum Refusal {
        /** The job's own files cannot be used (its checkpoint directory, a program its command names). */
        JOB_FILES,
        /** Its image is not on the node and could not be pulled, or does not exist. */
        IMAGE_PULL_FAILED,
        /** It runs in an image and the node runs no containers. */
        NO_CONTAINER_RUNTIME,
        /** Its image resolved on this node to another digest than the one its job's shards were pinned to. */
        IMAGE_DIGEST_MISMATCH
    }

    public ShardReport(String jobId, int shard, int attempt, ShardPhase phase, Integer exitCode, Long pid,
                       String message, Exit exit, Progress progress) {
        this(jobId, shard, attempt, phase, exitCode, pid, message, exit, progress, null, null);
    }

    public ShardReport(String jobId, int shard, int attempt, ShardPhase phase, Integer exitCode, Long pid,
                       Long step, Long totalSteps, String message, Double samplesPerSec, Long checkpointStep, Exit exit) {
        this(jobId, shard, attempt, phase, exitCode, pid, message, exit,
                new Progress(step, totalSteps, samplesPerSec, checkpointStep, null, null));
    }

    /** Before the worker has ended. */
    public ShardReport(String jobId, int shard, int attempt, ShardPhase phase, Integer exitCode, Long pid,
                       Long step, Long totalSteps, String message, Double samplesPerSec, Long checkpointStep) {
        this(jobId, shard, attempt, phase, exitCode, pid, step, totalSteps, message, samplesPerSec, checkpointStep, null);
    }

    /**
     * What a worker's output last said about its training.
     *
     * @param step           the last training step the worker reported, if any
     * @param totalSteps     the step count the worker aims for, if it said
     * @param samplesPerSec  the throughput the worker last measured for this shard, if it reports one
     * @param checkpointStep the step of the latest checkpoint the worker said it wrote
     *                       ({@code TESSERA_CHECKPOINT step=N}), if any
     * @param split          the batch split version the worker's last progress line says it runs ({@code split=N}), if any
     * @param metrics        the named figures of its last progress line (loss, learning rate, any {@code key=value}),
     *                       at most {@link #MAX_METRICS}; empty when it logs none
     * @param checkpointSec  how long the worker said that checkpoint took to write
     *                       ({@code TESSERA_CHECKPOINT step=N seconds=S}), if it said: what a preemption costs it
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Progress(Long step, Long totalSteps, Double samplesPerSec, Long checkpointStep, Integer split,
                           Map<String, Double> metrics, Double checkpointSec) {
        /** No progress reported. */
        public static final Progress NONE = new Progress(null, null, null, null, null, null, null);

        public Progress(Long step, Long totalSteps, Double samplesPerSec, Long checkpointStep, Integer split,
                        Map<String, Double> metrics) {
            this(step, totalSteps, samplesPerSec, checkpointStep, split, metrics, null);
        }
        /** The most named metrics one report carries. */
        public static final int MAX_METRICS = 16;

        public Progress {
            metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
        }
    }

    public Long step() {
        return progress.step();
    }

    public Long totalSteps() {
        return progress.totalSteps();
    }

    public Double samplesPerSec() {
        return progress.samplesPerSec();
    }

    public Long checkpointStep() {
        return progress.checkpointStep();
    }

    public Integer split() {
        return progress.split();
    }

    /** How long the worker's latest checkpoint took to write, if it said. */
    public Double checkpointSec() {
        return progress.checkpointSec();
    }

    /** The named metrics of the worker's last progress line (empty: none). */
    public Map<String, Double> metrics() {
        return progress.metrics();
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
