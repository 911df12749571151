package io.tessera.agent.worker;

import java.nio.file.Path;
import io.tessera.config.wire.CommPlan;
import io.tessera.config.wire.ShardAssignment;
import java.util.LinkedHashMap;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.Map;
import java.util.TreeMap;

/**
 * The worker environment contract (docs/worker-contract.md): torchrun-compatible rendezvous
 * variables, the vendor's device-visibility variable, and the TESSERA_* variables. Pure.
 *
 * One worker process runs per shard. The visibility variable lists the shard's physical device
 * indices, so inside the worker they appear renumbered 0..k-1. Vendor hints: Ascend shards get
 * {@code HCCL_IF_BASE_PORT} spaced {@link #HCCL_PORT_STRIDE} apart by the shard's first device
 * (devices are exclusive to one shard, so no two shards on a node, of any jobs, share HCCL's
 * listening ports); Nvidia shards get {@code TORCH_NCCL_ASYNC_ERROR_HANDLING=1}, so a peer's
 * failure ends the worker instead of hanging it. The communication plan
 * ({@link CommPlan}) arrives as {@code TESSERA_COMM_*} variables for this
 * shard's group and bridge, the node's interface variables, and {@link #COMM_PLAN}, the whole plan as JSON.
 */
public final class WorkerEnvironment {
    private WorkerEnvironment() {
    }

    /** The variables to add to the worker's environment; the job's own env first, the contract on top. */
    public static final int HCCL_BASE_PORT = 60000;
    public static final int HCCL_PORT_STRIDE = 64;
    /** The variable naming the JSON file of the attempt's communication plan. */
    public static final String COMM_PLAN = "TESSERA_COMM_PLAN";
    /** The variable naming the JSON file of the attempt's batch splits, which the scheduler may re-split. */
    public static final String SPLIT_FILE = "TESSERA_SPLIT_FILE";
    /** The variable naming the JSON file of the gang's generation, which grows when a peer is restarted in place. */
    public static final String GANG_FILE = "TESSERA_GANG_FILE";

    public static Map<String, String> of(ShardAssignment a, String workDir) {
        return of(a, workDir, a.visibilityEnv(), a.checkpointDir());
    }

    /**
     * The clean base of a worker's environment, before the contract and the job's variables:
     * nothing of the agent's own environment but PATH, LANG, LC_ALL and TZ, so no credential or
     * join token can leak into it.
     */
    public static Map<String, String> base(Path home, String user) {
        return base(home, user, dir -> true);
    }

    /** A worker's default PATH when the agent's leaves it none it can enter. */
    static final String DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";

    /**
     * The clean base, its PATH only the agent's entries {@code reachable} says the worker's user
     * can enter (root's {@code /root/.local/bin} is not one for a per-job uid), else {@link #DEFAULT_PATH}.
     */
    public static Map<String, String> base(Path home, String user, Predicate<Path> reachable) {
        Map<String, String> env = new LinkedHashMap<>();
        Map<String, String> agent = System.getenv();
        for (String keep : List.of("LANG", "LC_ALL", "TZ")) {
            if (agent.containsKey(keep)) {
                env.put(keep, agent.get(keep));
            }
        }
        String path = Arrays.stream(agent.getOrDefault("PATH", "").split(":"))
                .filter(d -> d.startsWith("/") && reachable.test(Path.of(d))).distinct().collect(Collectors.joining(":"));
        env.put("PATH", path.isEmpty() ? DEFAULT_PATH : path);
        env.put("HOME", home.toString());
        env.put("USER", user);
        env.put("LOGNAME", user);
        return env;
    }

    /**
     * With {@code visibilityEnv} overriding the assignment's (a plug-in's own variable) and
     * {@code checkpointDir} the directory the agent prepared (the job's own, or its default).
     */
    public static Map<String, String> of(ShardAssignment a, String workDir, String visibilityEnv, String checkpointDir) {
        Map<String, String> env = new LinkedHashMap<>(a.env());
        vendorHints(a, env);
        env.put("MASTER_ADDR", a.masterAddr());
        env.put("MASTER_PORT", Integer.toString(a.masterPort()));
        env.put("RANK", Integer.toString(a.shard()));
        env.put("WORLD_SIZE", Integer.toString(a.worldSize()));
        env.put("LOCAL_RANK", Integer.toString(a.localRank()));
        env.put("LOCAL_WORLD_SIZE", Integer.toString(a.localWorldSize()));
        torchrun(a, env, workDir);
        env.put(visibilityEnv, join(a.devices()));
        env.put("TESSERA_JOB_ID", a.jobId());
        env.put("TESSERA_JOB_NAME", a.jobName());
        env.put("TESSERA_SHARD", Integer.toString(a.shard()));
        env.put("TESSERA_ATTEMPT", Integer.toString(a.attempt()));
        env.put("TESSERA_CHIP_TYPE", a.chipType());
        env.put("TESSERA_DEVICE_COUNT", Integer.toString(a.devices().size()));
        env.put("TESSERA_PRECISION", a.precision());
        env.put("TESSERA_MICRO_BATCH", Integer.toString(a.microBatch()));
        env.put("TESSERA_GRAD_ACCUMULATION", Integer.toString(a.accumulation()));
        env.put("TESSERA_GLOBAL_BATCH", Long.toString(a.globalBatch()));
        env.put("TESSERA_PREDICTED_SAMPLES_PER_SEC", Double.toString(a.predictedSamplesPerSec()));
        if (a.catalogSamplesPerSec() > 0) {
            env.put("TESSERA_CATALOG_SAMPLES_PER_SEC", Double.toString(a.catalogSamplesPerSec()));
        }
        env.put("TESSERA_WORK_DIR", workDir);
        if (checkpointDir != null) {
            env.put("TESSERA_CHECKPOINT_DIR", checkpointDir);
        }
        communication(a, env);
        return env;
    }

    /**
     * What torchrun sets besides the ranks, so a script written for it runs unchanged: the role
     * and node ranks, the run id (the job) and the restart count (every new attempt of the gang is
     * a restart of its worker group), an error file for {@code @record}, and, as torchrun does when
     * a node runs several workers, {@code OMP_NUM_THREADS=1} unless the job set it.
     */
    private static void torchrun(ShardAssignment a, Map<String, String> env, String workDir) {
        env.put("ROLE_NAME", "default");
        env.put("ROLE_RANK", Integer.toString(a.shard()));
        env.put("ROLE_WORLD_SIZE", Integer.toString(a.worldSize()));
        if (a.groupWorldSize() > 0) {
            env.put("GROUP_RANK", Integer.toString(a.groupRank()));
            env.put("GROUP_WORLD_SIZE", Integer.toString(a.groupWorldSize()));
        }
        env.put("TORCHELASTIC_RUN_ID", a.jobId());
        env.put("TORCHELASTIC_RESTART_COUNT", Integer.toString(Math.max(0, a.attempt() - 1)));
        env.put("TORCHELASTIC_USE_AGENT_STORE", "False"); // rank 0 hosts the store at MASTER_ADDR:MASTER_PORT
        env.put("TORCHELASTIC_ERROR_FILE", workDir + "/torchelastic-error-" + a.attempt() + ".json");
        if (a.localWorldSize() > 1) {
            env.putIfAbsent("OMP_NUM_THREADS", "1");
        }
    }

    /**
     * Where the shard's gang meets: {@code MASTER_ADDR}, {@code MASTER_PORT} and its part of the
     * communication plan ({@code TESSERA_COMM_*}). A replaced shard can move these; the gang file
     * carries them to the workers that stay.
     */
    public static Map<String, String> rendezvous(ShardAssignment a) {
        Map<String, String> env = new TreeMap<>();
        env.put("MASTER_ADDR", a.masterAddr());
        env.put("MASTER_PORT", Integer.toString(a.masterPort()));
        communication(a, env);
        return env;
    }

    /** This shard's part of the communication plan: its group, the bridge, and its node's interface variables. */
    private static void communication(ShardAssignment a, Map<String, String> env) {
        CommPlan plan = a.comm();
        if (plan == null) {
            return;
        }
        plan.interfaces().values().stream().findFirst().ifPresent(nic -> nic.forEach(env::putIfAbsent));
        plan.groupOf(a.shard()).ifPresent(g -> {
            env.put("TESSERA_COMM_GROUPS", Integer.toString(plan.groups().size()));
            env.put("TESSERA_COMM_GROUP", Integer.toString(g.index()));
            env.put("TESSERA_COMM_LIBRARY", g.library());
            env.put("TESSERA_COMM_GROUP_RANKS", join(g.ranks()));
            env.put("TESSERA_COMM_GROUP_RANK", Integer.toString(g.indexOf(a.shard())));
            env.put("TESSERA_COMM_GROUP_SIZE", Integer.toString(g.ranks().size()));
            env.put("TESSERA_COMM_GROUP_LEADER", Integer.toString(g.leader()));
            env.put("TESSERA_COMM_GROUP_ADDR", g.address());
            env.put("TESSERA_COMM_GROUP_PORT", Integer.toString(g.port()));
            env.put("TESSERA_COMM_IS_LEADER", g.leader() == a.shard() ? "1" : "0");
        });
        CommPlan.Bridge b = plan.bridge();
        env.put("TESSERA_COMM_BRIDGE", b == null ? "none" : b.transport());
        if (b != null) {
            env.put("TESSERA_COMM_BRIDGE_RANKS", join(b.ranks()));
            env.put("TESSERA_COMM_BRIDGE_ADDR", b.address());
            env.put("TESSERA_COMM_BRIDGE_PORT", Integer.toString(b.port()));
        }
    }

    private static void vendorHints(ShardAssignment a, Map<String, String> env) {
        if ("huawei".equals(a.vendor())) {
            int slot = a.devices().isEmpty() ? a.localRank() : a.devices().get(0);
            env.putIfAbsent("HCCL_IF_BASE_PORT", Integer.toString(HCCL_BASE_PORT + slot * HCCL_PORT_STRIDE));
        } else if ("nvidia".equals(a.vendor())) {
            env.putIfAbsent("TORCH_NCCL_ASYNC_ERROR_HANDLING", "1");
        }
    }

    private static String join(List<Integer> devices) {
        return devices.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
}
