package io.tessera.config.wire;

import io.tessera.config.wire.ShardAssignment.BatchSplit;
import io.tessera.config.wire.ShardAssignment.Command;
import io.tessera.config.wire.ShardAssignment.DeviceGrant;
import io.tessera.config.wire.ShardAssignment.Identity;
import io.tessera.config.wire.ShardAssignment.Lifecycle;
import io.tessera.config.wire.ShardAssignment.Rendezvous;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link ShardAssignment} part by part, naming each field. Starts as rank {@code shard}
 * of a gang of one on its node, attempt 1, running with no devices, an empty command and batch, no
 * rendezvous; each setter replaces one part or field.
 */
public final class ShardAssignmentBuilder {
    private Identity identity;
    private Command command = new Command(List.of(), Map.of(), null, null);
    private DeviceGrant grant = new DeviceGrant(List.of(), null, null, null);
    private BatchSplit batch = new BatchSplit(null, 1, 1, 1, 0, 0, 0);
    private Rendezvous rendezvous = new Rendezvous(null, 0, null);
    private Lifecycle lifecycle = Lifecycle.RUN;

    ShardAssignmentBuilder(String jobId, int shard) {
        this.identity = new Identity(jobId, jobId, shard, 1, 0, 1, 1, 0, 0);
    }

    /** The job's name, for logs. */
    public ShardAssignmentBuilder jobName(String name) {
        identity = new Identity(identity.jobId(), name, identity.shard(), identity.worldSize(), identity.localRank(),
                identity.localWorldSize(), identity.attempt(), identity.groupRank(), identity.groupWorldSize());
        return this;
    }

    /** The gang's size, and this shard's position among the job's {@code localWorldSize} shards on its node. */
    public ShardAssignmentBuilder gang(int worldSize, int localRank, int localWorldSize) {
        identity = new Identity(identity.jobId(), identity.jobName(), identity.shard(), worldSize, localRank,
                localWorldSize, identity.attempt(), identity.groupRank(), identity.groupWorldSize());
        return this;
    }

    /** This node's rank among the job's {@code groupWorldSize} nodes (torchrun's GROUP_RANK and GROUP_WORLD_SIZE). */
    public ShardAssignmentBuilder nodes(int groupRank, int groupWorldSize) {
        identity = new Identity(identity.jobId(), identity.jobName(), identity.shard(), identity.worldSize(),
                identity.localRank(), identity.localWorldSize(), identity.attempt(), groupRank, groupWorldSize);
        return this;
    }

    public ShardAssignmentBuilder attempt(int attempt) {
        identity = new Identity(identity.jobId(), identity.jobName(), identity.shard(), identity.worldSize(),
                identity.localRank(), identity.localWorldSize(), attempt, identity.groupRank(), identity.groupWorldSize());
        return this;
    }

    /** The command and the job's own environment. */
    public ShardAssignmentBuilder command(List<String> argv, Map<String, String> env) {
        command = new Command(argv, env, command.checkpointDir(), command.resumesJob(), command.image(), command.imageDigest(), command.jobUid());
        return this;
    }

    /** The job's checkpoint directory, and the earlier job whose directory it resumes (or null). */
    public ShardAssignmentBuilder checkpoints(String checkpointDir, String resumesJob) {
        command = new Command(command.argv(), command.env(), checkpointDir, resumesJob, command.image(), command.imageDigest(), command.jobUid());
        return this;
    }

    /** The digest its image is pinned to (null: not yet). */
    public ShardAssignmentBuilder imageDigest(String digest) {
        command = new Command(command.argv(), command.env(), command.checkpointDir(), command.resumesJob(), command.image(),
                digest, command.jobUid());
        return this;
    }

    /** The fleet-wide uid the job's workers run as (null: the agent picks one). */
    public ShardAssignmentBuilder jobUid(Integer uid) {
        command = new Command(command.argv(), command.env(), command.checkpointDir(), command.resumesJob(), command.image(),
                command.imageDigest(), uid);
        return this;
    }

    /** The OCI image the worker runs in (null: a host process). */
    public ShardAssignmentBuilder image(String image) {
        command = new Command(command.argv(), command.env(), command.checkpointDir(), command.resumesJob(), image,
                command.imageDigest(), command.jobUid());
        return this;
    }

    /** The devices granted on the node, of {@code chipType} from {@code vendor}, made visible through {@code visibilityEnv}. */
    public ShardAssignmentBuilder devices(List<Integer> devices, String chipType, String vendor, String visibilityEnv) {
        grant = new DeviceGrant(devices, chipType, vendor, visibilityEnv);
        return this;
    }

    /** The shard's batch: precision, micro-batch, accumulation, the global batch, and its predicted samples/s. */
    public ShardAssignmentBuilder batch(String precision, int microBatch, int accumulation, long globalBatch,
                                        double predictedSamplesPerSec) {
        batch = new BatchSplit(precision, microBatch, accumulation, globalBatch, predictedSamplesPerSec,
                batch.splitVersion(), batch.catalogSamplesPerSec());
        return this;
    }

    /** The split's version and the catalog's estimate before measurements corrected it. */
    public ShardAssignmentBuilder split(int splitVersion, double catalogSamplesPerSec) {
        batch = new BatchSplit(batch.precision(), batch.microBatch(), batch.accumulation(), batch.globalBatch(),
                batch.predictedSamplesPerSec(), splitVersion, catalogSamplesPerSec);
        return this;
    }

    /** Where rank 0 listens, and the attempt's communication plan (or null). */
    public ShardAssignmentBuilder rendezvous(String masterAddr, int masterPort, CommPlan comm) {
        rendezvous = new Rendezvous(masterAddr, masterPort, comm);
        return this;
    }

    /** Told to stop, with this grace before SIGKILL (null: run). */
    public ShardAssignmentBuilder stopGrace(Long stopGraceMs) {
        lifecycle = new Lifecycle(stopGraceMs);
        return this;
    }

    public ShardAssignment build() {
        return new ShardAssignment(identity, command, grant, batch, rendezvous, lifecycle);
    }
}
