package io.tessera.agent.worker;

import io.tessera.agent.net.ListeningPorts;
import io.tessera.agent.net.PortGuard;
import io.tessera.config.wire.ShardAssignment;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Starts one worker's process: its log, working and checkpoint directories, the checks that the
 * job's user can reach what its command names, its environment (the contract, the communication
 * plan, the split file, the helper on {@code PYTHONPATH}), and the process itself, directly or
 * through the {@link WorkerLauncher} under the job's uid. A {@link ShardFiles.SpecFault} means the
 * job's spec is at fault; any other failure is the node's. Called by the {@link WorkerSupervisor}
 * under its lock.
 */
final class WorkerStarter {
    private final Path workDir;
    private final ShardFiles files;
    private final WorkerIdentity identity;
    private final WorkerLauncher launcher;
    private final Function<List<Integer>, Optional<String>> visibilityOverride;
    /** The worker helper module, installed under the work directory at the first launch. */
    private PythonHelper helper;

    WorkerStarter(Path workDir, ShardFiles files, WorkerIdentity identity, WorkerLauncher launcher,
                  Function<List<Integer>, Optional<String>> visibilityOverride) {
        this.workDir = workDir;
        this.files = files;
        this.identity = identity;
        this.launcher = launcher;
        this.visibilityOverride = visibilityOverride;
    }

    /** Prepares and starts {@code w}'s process; sets its uid and environment file. */
    Process start(Worker w) throws IOException {
        ShardAssignment a = w.assignment;
        var ids = identity.forJob(a.jobId(), a.jobUid());
        int uid = ids.map(WorkerIdentity.Ids::uid).orElse(-1);
        Optional<String> squatted = PortGuard.squatted(a, ListeningPorts.read(), uid); // issue 27, N8
        if (squatted.isPresent()) {
            throw new IOException(squatted.get());
        }
        files.prepareLog(a);
        Path dir = files.prepareShardDir(a, uid);
        files.requireReachable(a, ids);
        Path checkpoints = files.prepareCheckpointDir(a, ids);
        Map<String, String> env = environment(w, ids, dir, checkpoints);
        w.uid = uid;
        ProcessBuilder pb = new ProcessBuilder(a.argv());
        pb.environment().clear();
        if (ids.isPresent()) {
            Path envFile = files.envFile(a);
            SafeFiles.writeSecret(envFile, WorkerLauncher.render(env), uid);
            w.envFile = envFile;
            pb.command(launcher.argv(ids.get(), envFile, a.argv()));
            pb.environment().putAll(WorkerLauncher.PRIVILEGED_ENV);
        } else {
            pb.environment().putAll(env);
        }
        pb.directory(dir.toFile()).redirectErrorStream(true).redirectOutput(Redirect.appendTo(w.log.toFile()));
        Process p = start(pb, ids.isPresent());
        Files.setPosixFilePermissions(w.log, PosixFilePermissions.fromString("rw-------"));
        return p;
    }

    private Map<String, String> environment(Worker w, Optional<WorkerIdentity.Ids> ids, Path dir, Path checkpoints)
            throws IOException {
        Map<String, String> env = WorkerEnvironment.base(dir, ids.map(WorkerIdentity.Ids::user)
                .orElse(System.getProperty("user.name")), entry -> ids.isEmpty() || files.reaches(ids.get(), entry));
        return contract(w, ids, dir, checkpoints, env);
    }

    /**
     * A container worker's environment: the contract as for a host process, but no PATH of the
     * host's (the image's own applies) and HOME in the shard's directory.
     */
    Map<String, String> containerEnvironment(Worker w, Optional<WorkerIdentity.Ids> ids, Path dir, Path checkpoints)
            throws IOException {
        Map<String, String> env = WorkerEnvironment.base(dir, ids.map(WorkerIdentity.Ids::user)
                .orElse(System.getProperty("user.name")), entry -> true);
        env.remove("PATH");
        return contract(w, ids, dir, checkpoints, env);
    }

    /** Where the worker helper module is installed (mounted read-only into containers). */
    Path helperDir() {
        if (helper == null) {
            helper = PythonHelper.install(workDir);
        }
        return helper.dir();
    }

    private Map<String, String> contract(Worker w, Optional<WorkerIdentity.Ids> ids, Path dir, Path checkpoints,
                                         Map<String, String> env) throws IOException {
        ShardAssignment a = w.assignment;
        int uid = ids.map(WorkerIdentity.Ids::uid).orElse(-1);
        String visibility = visibilityOverride.apply(a.devices()).orElse(a.visibilityEnv());
        env.putAll(WorkerEnvironment.of(a, dir.toString(), visibility, checkpoints.toString()));
        if (helper == null) {
            helper = PythonHelper.install(workDir);
        }
        helper.addTo(env);
        Path plan = files.writeCommPlan(a, uid);
        if (plan != null) {
            env.put(WorkerEnvironment.COMM_PLAN, plan.toString());
        }
        env.put(WorkerEnvironment.SPLIT_FILE, files.writeSplits(a, w.splits, uid).toString());
        env.put("TESSERA_SPLIT_VERSION", Integer.toString(w.splits.get(w.splits.size() - 1).version()));
        env.put(WorkerEnvironment.GANG_FILE, files.writeGang(a, w.generation, uid).toString());
        env.put("TESSERA_GANG_GENERATION", Integer.toString(w.generation));
        env.put("TESSERA_INCARNATION", Integer.toString(a.incarnation()));
        return env;
    }

    /**
     * Starts the worker's process. Run directly (as the agent's user), a failure to start is the
     * job's command not being there: the spec's fault. Run through the launcher, it is Tessera's.
     */
    private static Process start(ProcessBuilder pb, boolean throughLauncher) throws IOException {
        try {
            return pb.start();
        } catch (IOException e) {
            if (throughLauncher) {
                throw e;
            }
            throw new ShardFiles.SpecFault("the job's command cannot be run: " + e.getMessage());
        }
    }
}
