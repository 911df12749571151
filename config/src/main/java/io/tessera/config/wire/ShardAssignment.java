package io.tessera.config.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.util.List;
import java.util.Map;

/**
 * Everything an agent needs to run one shard's worker. The agent derives the worker
 * environment contract from it (see docs/worker-contract.md). Six parts, each a record: who the
 * shard is ({@link Identity}), what it runs ({@link Command}), on which devices ({@link DeviceGrant}),
 * with which batch ({@link BatchSplit}), how its gang meets ({@link Rendezvous}) and whether it should
 * stop ({@link Lifecycle}). On the wire (JSON) the parts are unwrapped: one flat object with the
 * fields below, as before they were grouped, so agents and stored sets read alike. Each field
 * keeps its accessor on the assignment itself. Build one with {@link #builder}.
 *
 * <p>The fields:
 *
 * @param jobId                  the job
 * @param jobName                the job's name, for logs
 * @param shard                  this shard's rank, 0..worldSize-1
 * @param worldSize              number of shards in the gang
 * @param localRank              this shard's position among the job's shards on this node
 * @param localWorldSize         how many of the job's shards run on this node
 * @param attempt                gang attempt, incremented on each restart
 * @param groupRank              this node's rank among the job's nodes, ordered by their lowest shard (torchrun's
 *                               {@code GROUP_RANK}: the node of shard 0 is 0)
 * @param groupWorldSize         how many nodes the job's shards run on (0 from a scheduler that predates it)
 * @param argv                   the command and arguments; never run through a shell
 * @param env                    the job's own environment variables
 * @param image                  the OCI image the worker runs in (the job's, or its variant's); null: a host process
 * @param imageDigest            null until the scheduler pins the digest the image must resolve to on this node
 *                               (every shard of the attempt reported theirs, and each image's agree); the agent starts
 *                               the worker only then, and refuses it if its image resolved to another
 * @param jobUid                 the uid the job's workers run as on every node, allocated once for the job across
 *                               the fleet (so files on shared storage belong to one job); null: the agent picks one
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
 * @param incarnation            how many times this shard's worker was restarted in place at this attempt (the process
 *                               rung of the recovery ladder); absent (0) until it first is. A higher incarnation of a
 *                               shard whose worker exited tells the agent to start it again, at the same attempt
 * @param generation             the gang's generation at this attempt: the sum of its shards' incarnations, so it grows
 *                               by one with every restart in place; workers that rejoin read it (TESSERA_GANG_FILE)
 * @param catalogSamplesPerSec   the catalog's estimate for this shard, before anything measured corrected it (0 when
 *                               unknown); {@code predictedSamplesPerSec} is the scheduler's current belief
 */
public record ShardAssignment(@JsonUnwrapped Identity identity, @JsonUnwrapped Command command,
                              @JsonUnwrapped DeviceGrant grant, @JsonUnwrapped BatchSplit batch,
                              @JsonUnwrapped Rendezvous rendezvous, @JsonUnwrapped Lifecycle lifecycle) {

    /** Who the shard is: its job, its rank in the gang and on its node, and the gang's attempt. */
    public record Identity(String jobId, String jobName, int shard, int worldSize, int localRank, int localWorldSize,
                           int attempt, int groupRank, int groupWorldSize) {
    }

    /**
     * What the worker runs: argv (never through a shell), the job's environment, its checkpoint
     * directories, and the OCI image it runs in (null: a host process). Argv, environment and image
     * are the job's with the variant for this shard's chip type applied.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Command(List<String> argv, Map<String, String> env, String checkpointDir, String resumesJob,
                          String image, String imageDigest, Integer jobUid) {
        public Command {
            argv = argv == null ? List.of() : List.copyOf(argv);
            env = env == null ? Map.of() : Map.copyOf(env);
        }

        public Command(List<String> argv, Map<String, String> env, String checkpointDir, String resumesJob) {
            this(argv, env, checkpointDir, resumesJob, null, null, null);
        }

        /** This command with {@code digest} pinned as the only one its image may resolve to. */
        Command withImageDigest(String digest) {
            return new Command(argv, env, checkpointDir, resumesJob, image, digest, jobUid);
        }
    }

    /** The devices granted on this node, their chip type and vendor, and the variable that restricts the worker to them. */
    public record DeviceGrant(List<Integer> devices, String chipType, String vendor, String visibilityEnv) {
        public DeviceGrant {
            devices = devices == null ? List.of() : List.copyOf(devices);
        }
    }

    /** The shard's part of the global batch: precision, micro-batch and accumulation, its predicted rate, the split's version. */
    public record BatchSplit(String precision, int microBatch, int accumulation, long globalBatch,
                             double predictedSamplesPerSec, int splitVersion, double catalogSamplesPerSec) {
    }

    /** Where the gang meets: rank 0's address and port, and the attempt's communication plan (null from older schedulers). */
    public record Rendezvous(String masterAddr, int masterPort, CommPlan comm) {
    }

    /**
     * Null while the shard should run, or the grace between SIGTERM and SIGKILL once its job is preempted;
     * and the shard's incarnation and gang generation at this attempt (null: 0, omitted on the wire).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Lifecycle(Long stopGraceMs, Integer incarnation, Integer generation) {
        public static final Lifecycle RUN = new Lifecycle(null);

        public Lifecycle(Long stopGraceMs) {
            this(stopGraceMs, null, null);
        }

        Lifecycle withStopGrace(Long graceMs) {
            return new Lifecycle(graceMs, incarnation, generation);
        }
    }

    public ShardAssignment {
        lifecycle = lifecycle == null ? Lifecycle.RUN : lifecycle;
    }

    public String jobId() {
        return identity.jobId();
    }

    public String jobName() {
        return identity.jobName();
    }

    public int shard() {
        return identity.shard();
    }

    public int worldSize() {
        return identity.worldSize();
    }

    public int localRank() {
        return identity.localRank();
    }

    public int localWorldSize() {
        return identity.localWorldSize();
    }

    public int attempt() {
        return identity.attempt();
    }

    public int groupRank() {
        return identity.groupRank();
    }

    public int groupWorldSize() {
        return identity.groupWorldSize();
    }

    public List<String> argv() {
        return command.argv();
    }

    public Map<String, String> env() {
        return command.env();
    }

    /** The OCI image the worker runs in, or null for a host process. */
    public String image() {
        return command.image();
    }

    /** The digest the image must resolve to, once the scheduler pinned it; null before. */
    public String imageDigest() {
        return command.imageDigest();
    }

    public String checkpointDir() {
        return command.checkpointDir();
    }

    public String resumesJob() {
        return command.resumesJob();
    }

    public List<Integer> devices() {
        return grant.devices();
    }

    public String chipType() {
        return grant.chipType();
    }

    public String vendor() {
        return grant.vendor();
    }

    public String visibilityEnv() {
        return grant.visibilityEnv();
    }

    public String precision() {
        return batch.precision();
    }

    public int microBatch() {
        return batch.microBatch();
    }

    public int accumulation() {
        return batch.accumulation();
    }

    public long globalBatch() {
        return batch.globalBatch();
    }

    public double predictedSamplesPerSec() {
        return batch.predictedSamplesPerSec();
    }

    public int splitVersion() {
        return batch.splitVersion();
    }

    public double catalogSamplesPerSec() {
        return batch.catalogSamplesPerSec();
    }

    public String masterAddr() {
        return rendezvous.masterAddr();
    }

    public int masterPort() {
        return rendezvous.masterPort();
    }

    public CommPlan comm() {
        return rendezvous.comm();
    }

    public Long stopGraceMs() {
        return lifecycle.stopGraceMs();
    }

    /** The fleet-wide uid of the job's workers, or null (accessor kept on the assignment, like the others). */
    public Integer jobUid() {
        return command.jobUid();
    }

    /** How many times this shard's worker was restarted in place at this attempt. */
    public int incarnation() {
        return lifecycle.incarnation() == null ? 0 : lifecycle.incarnation();
    }

    /** The gang's generation at this attempt: the sum of its shards' incarnations. */
    public int generation() {
        return lifecycle.generation() == null ? 0 : lifecycle.generation();
    }

    /** This shard told to stop: SIGTERM now, SIGKILL after {@code graceMs}. */
    public ShardAssignment withStopGrace(long graceMs) {
        return new ShardAssignment(identity, command, grant, batch, rendezvous, lifecycle.withStopGrace(graceMs));
    }

    /** This shard at {@code incarnation}, in a gang at {@code generation} (0 and 0 are left off the wire). */
    public ShardAssignment withIncarnation(int incarnation, int generation) {
        return new ShardAssignment(identity, command, grant, batch, rendezvous, new Lifecycle(lifecycle.stopGraceMs(),
                incarnation == 0 ? null : incarnation, generation == 0 ? null : generation));
    }

    /** This shard with the job's environment replaced (the scheduler opens sealed secrets just before delivery). */
    public ShardAssignment withEnv(Map<String, String> newEnv) {
        return new ShardAssignment(identity, new Command(command.argv(), newEnv, command.checkpointDir(),
                command.resumesJob(), command.image(), command.imageDigest(), command.jobUid()), grant, batch, rendezvous, lifecycle);
    }

    /** This shard with its image's digest pinned: its agent may start it now, on that digest only. */
    public ShardAssignment withImageDigest(String digest) {
        return new ShardAssignment(identity, command.withImageDigest(digest), grant, batch, rendezvous, lifecycle);
    }

    /** This shard with a new split of the running attempt: its batch, its predicted rate, and the split's version. */
    public ShardAssignment withSplit(int newMicroBatch, int newAccumulation, double predicted, int version) {
        return new ShardAssignment(identity, command, grant, new BatchSplit(batch.precision(), newMicroBatch,
                newAccumulation, batch.globalBatch(), predicted, version, batch.catalogSamplesPerSec()), rendezvous,
                lifecycle);
    }

    /** The key of the shard across attempts: {@code jobId/shard}. */
    public String key() {
        return identity.jobId() + "/" + identity.shard();
    }

    /** A builder for one shard of {@code jobId}: rank {@code shard} of a gang of one, attempt 1, until told otherwise. */
    public static ShardAssignmentBuilder builder(String jobId, int shard) {
        return new ShardAssignmentBuilder(jobId, shard);
    }
}
