package io.tessera.config.wire;

import java.util.List;
import java.util.Map;

/**
 * Everything an agent needs to run one shard's worker. The agent derives the worker
 * environment contract from it (see docs/worker-contract.md).
 *
 * @param jobId                  the job
 * @param jobName                the job's name, for logs
 * @param shard                  this shard's rank, 0..worldSize-1
 * @param worldSize              number of shards in the gang
 * @param localRank              this shard's position among the job's shards on this node
 * @param localWorldSize         how many of the job's shards run on this node
 * @param attempt                gang attempt, incremented on each restart
 * @param argv                   the command and arguments; never run through a shell
 * @param env                    the job's own environment variables
 * @param devices                device indices on this node, as the vendor tool numbers them
 * @param chipType               catalog chip id
 * @param visibilityEnv          the variable that restricts the worker to {@code devices}
 * @param precision              the precision to train in
 * @param microBatch             samples per micro-step on this shard
 * @param accumulation           micro-steps per optimizer step (gradient accumulation)
 * @param globalBatch            samples per optimizer step across the gang
 * @param predictedSamplesPerSec the scheduler's throughput estimate for this shard
 * @param masterAddr             address of the node running rank 0
 * @param masterPort             rendezvous port on that node
 * @param checkpointDir          the job's checkpoint directory, or null
 * @param stopGraceMs            null while the shard should run; set when its job is preempted: the agent
 *                               sends the worker SIGTERM (so it can checkpoint) and SIGKILL after this long
 * @param resumesJob             the earlier job whose checkpoint directory this one resumes ({@code resumeFrom},
 *                               checked by the scheduler: same owner, finished); the agent then hands that
 *                               directory to this job's uid. Null otherwise: another job's directory is refused
 * @param comm                   the attempt's communication plan (groups, leaders, bridge, ports), with only this
 *                               node's interface variables; null from a scheduler that predates it
 * @param splitVersion           0 for the split the attempt started with; +1 each time the scheduler re-splits the
 *                               batch of the running attempt by measured speed ({@code microBatch} and
 *                               {@code accumulation} then hold the new split, which workers adopt at a checkpoint)
 * @param catalogSamplesPerSec   the catalog's estimate for this shard, before anything measured corrected it (0 when
 *                               unknown); {@code predictedSamplesPerSec} is the scheduler's current belief
 */
public record ShardAssignment(
        String jobId, String jobName, int shard, int worldSize, int localRank, int localWorldSize, int attempt,
        List<String> argv, Map<String, String> env, List<Integer> devices, String chipType, String vendor, String visibilityEnv,
        String precision, int microBatch, int accumulation, long globalBatch, double predictedSamplesPerSec,
        String masterAddr, int masterPort, String checkpointDir, Long stopGraceMs, String resumesJob, CommPlan comm,
        int splitVersion, double catalogSamplesPerSec) {

    public ShardAssignment(String jobId, String jobName, int shard, int worldSize, int localRank, int localWorldSize,
                           int attempt, List<String> argv, Map<String, String> env, List<Integer> devices, String chipType,
                           String vendor, String visibilityEnv, String precision, int microBatch, int accumulation,
                           long globalBatch, double predictedSamplesPerSec, String masterAddr, int masterPort,
                           String checkpointDir, Long stopGraceMs, String resumesJob, CommPlan comm, int splitVersion) {
        this(jobId, jobName, shard, worldSize, localRank, localWorldSize, attempt, argv, env, devices, chipType, vendor,
                visibilityEnv, precision, microBatch, accumulation, globalBatch, predictedSamplesPerSec, masterAddr,
                masterPort, checkpointDir, stopGraceMs, resumesJob, comm, splitVersion, 0);
    }

    public ShardAssignment(String jobId, String jobName, int shard, int worldSize, int localRank, int localWorldSize,
                           int attempt, List<String> argv, Map<String, String> env, List<Integer> devices, String chipType,
                           String vendor, String visibilityEnv, String precision, int microBatch, int accumulation,
                           long globalBatch, double predictedSamplesPerSec, String masterAddr, int masterPort,
                           String checkpointDir, Long stopGraceMs, String resumesJob, CommPlan comm) {
        this(jobId, jobName, shard, worldSize, localRank, localWorldSize, attempt, argv, env, devices, chipType, vendor,
                visibilityEnv, precision, microBatch, accumulation, globalBatch, predictedSamplesPerSec, masterAddr,
                masterPort, checkpointDir, stopGraceMs, resumesJob, comm, 0, 0);
    }

    public ShardAssignment(String jobId, String jobName, int shard, int worldSize, int localRank, int localWorldSize,
                           int attempt, List<String> argv, Map<String, String> env, List<Integer> devices, String chipType,
                           String vendor, String visibilityEnv, String precision, int microBatch, int accumulation,
                           long globalBatch, double predictedSamplesPerSec, String masterAddr, int masterPort,
                           String checkpointDir, Long stopGraceMs, String resumesJob) {
        this(jobId, jobName, shard, worldSize, localRank, localWorldSize, attempt, argv, env, devices, chipType, vendor,
                visibilityEnv, precision, microBatch, accumulation, globalBatch, predictedSamplesPerSec, masterAddr,
                masterPort, checkpointDir, stopGraceMs, resumesJob, null);
    }

    public ShardAssignment(String jobId, String jobName, int shard, int worldSize, int localRank, int localWorldSize,
                           int attempt, List<String> argv, Map<String, String> env, List<Integer> devices, String chipType,
                           String vendor, String visibilityEnv, String precision, int microBatch, int accumulation,
                           long globalBatch, double predictedSamplesPerSec, String masterAddr, int masterPort,
                           String checkpointDir, Long stopGraceMs) {
        this(jobId, jobName, shard, worldSize, localRank, localWorldSize, attempt, argv, env, devices, chipType, vendor,
                visibilityEnv, precision, microBatch, accumulation, globalBatch, predictedSamplesPerSec, masterAddr,
                masterPort, checkpointDir, stopGraceMs, null, null);
    }

    public ShardAssignment {
        argv = List.copyOf(argv);
        env = env == null ? Map.of() : Map.copyOf(env);
        devices = List.copyOf(devices);
    }

    /** This shard told to stop: SIGTERM now, SIGKILL after {@code graceMs}. */
    public ShardAssignment withStopGrace(long graceMs) {
        return new ShardAssignment(jobId, jobName, shard, worldSize, localRank, localWorldSize, attempt, argv, env,
                devices, chipType, vendor, visibilityEnv, precision, microBatch, accumulation, globalBatch,
                predictedSamplesPerSec, masterAddr, masterPort, checkpointDir, graceMs, resumesJob, comm, splitVersion, catalogSamplesPerSec);
    }

    /** This shard with the job's environment replaced (the scheduler opens sealed secrets just before delivery). */
    public ShardAssignment withEnv(Map<String, String> newEnv) {
        return new ShardAssignment(jobId, jobName, shard, worldSize, localRank, localWorldSize, attempt, argv, newEnv,
                devices, chipType, vendor, visibilityEnv, precision, microBatch, accumulation, globalBatch,
                predictedSamplesPerSec, masterAddr, masterPort, checkpointDir, stopGraceMs, resumesJob, comm, splitVersion, catalogSamplesPerSec);
    }

    /** This shard with a new split of the running attempt: its batch, its predicted rate, and the split's version. */
    public ShardAssignment withSplit(int newMicroBatch, int newAccumulation, double predicted, int version) {
        return new ShardAssignment(jobId, jobName, shard, worldSize, localRank, localWorldSize, attempt, argv, env,
                devices, chipType, vendor, visibilityEnv, precision, newMicroBatch, newAccumulation, globalBatch,
                predicted, masterAddr, masterPort, checkpointDir, stopGraceMs, resumesJob, comm, version, catalogSamplesPerSec);
    }

    /** The key of the shard across attempts: {@code jobId/shard}. */
    public String key() {
        return jobId + "/" + shard;
    }
}
