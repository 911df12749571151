package io.tessera.agent.worker;

import io.tessera.agent.container.ContainerRun;
import io.tessera.agent.container.ContainerRuntime;
import io.tessera.agent.container.PodmanRuntime;
import io.tessera.agent.container.VendorDevices;
import io.tessera.agent.net.ListeningPorts;
import io.tessera.agent.net.PortGuard;
import io.tessera.config.wire.ShardAssignment;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starts one worker in a container of its shard's image: the same directories, checks and worker
 * contract as a host process ({@link WorkerStarter}), with every path mounted at the same path
 * inside, the shard's devices handed in ({@link VendorDevices}), the whole environment in a 0600
 * file only the agent reads (never on a command line), and the runtime's foreground {@code run}
 * as the worker's process, its output appended to the attempt's log. Called by the
 * {@link WorkerSupervisor} under its lock, once the image is present.
 */
final class ContainerStarter {
    private final Path workDir;
    private final ShardFiles files;
    private final WorkerIdentity identity;
    private final ContainerRuntime runtime;
    private final String node;
    private final List<String> cdi;
    private final List<ContainerRun.Mount> allowed;
    private final WorkerStarter contract;

    ContainerStarter(Path workDir, ShardFiles files, WorkerIdentity identity, ContainerRuntime runtime, String node,
                     List<ContainerRun.Mount> allowedMounts, WorkerStarter contract) {
        this.workDir = workDir;
        this.files = files;
        this.identity = identity;
        this.runtime = runtime;
        this.node = node;
        this.cdi = runtime.support().cdiDevices();
        this.allowed = List.copyOf(allowedMounts);
        this.contract = contract;
    }

    /** Who started a container: the agent of {@code node} working in {@code workDir}. */
    static String owner(String node, Path workDir) {
        return node + "@" + workDir.toAbsolutePath().normalize();
    }

    /** The name of {@code a}'s container on this node. */
    static String name(String node, ShardAssignment a) {
        return ("tessera-" + node + "-" + a.jobId() + "-" + a.shard() + "-" + a.attempt()
                + (a.incarnation() > 0 ? "-i" + a.incarnation() : "")).replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    /** Prepares and starts {@code w}'s container from the image {@code image} made present; sets its bookkeeping. */
    Process start(Worker w, ContainerRuntime.Prepared image) throws IOException {
        ShardAssignment a = w.assignment;
        var ids = identity.forJob(a.jobId(), a.jobUid());
        int uid = ids.map(WorkerIdentity.Ids::uid).orElse(-1);
        Optional<String> squatted = PortGuard.squatted(a, ListeningPorts.read(), uid); // issue 27, N8
        if (squatted.isPresent()) {
            throw new IOException(squatted.get());
        }
        files.prepareLog(a);
        Path dir = files.prepareShardDir(a, uid);
        Path checkpoints = files.prepareCheckpointDir(a, ids);
        Map<String, String> env = contract.containerEnvironment(w, ids, dir, checkpoints);
        w.uid = uid;
        Path envDir = workDir.resolve("containers");
        SafeFiles.ensureDir(envDir, ShardFiles.PRIVATE, -1);
        Path envFile = envDir.resolve(name(node, a) + ".env");
        SafeFiles.writeSecret(envFile, render(env), -1);
        w.containerEnvFile = envFile;
        w.container = name(node, a);
        w.imageDigest = image.digest();
        VendorDevices.Handover devices = VendorDevices.forShard(a.vendor(), a.devices(), cdi);
        List<ContainerRun.Mount> mounts = new ArrayList<>(List.of(ContainerRun.Mount.same(dir.getParent(), false),
                ContainerRun.Mount.same(contract.helperDir(), true)));
        if (checkpoints != null) {
            mounts.add(ContainerRun.Mount.same(checkpoints, false));
        }
        mounts.addAll(devices.mounts());
        mounts.addAll(allowed);
        runtime.remove(w.container); // a container of that name left by an agent that died
        ContainerRun run = new ContainerRun(w.container, image.id(), ids.map(i -> i.uid() + ":" + i.gid()).orElse(null),
                envFile, mounts, dir, devices.devices(), PodmanRuntime.labels(owner(node, workDir), node, a.jobId(), a.shard(), a.attempt(), image.digest()),
                a.argv());
        ProcessBuilder pb = new ProcessBuilder(runtime.runArgv(run));
        pb.environment().clear();
        pb.environment().putAll(WorkerLauncher.PRIVILEGED_ENV);
        pb.directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(Redirect.appendTo(w.log.toFile()));
        Process p = pb.start();
        Files.setPosixFilePermissions(w.log, PosixFilePermissions.fromString("rw-------"));
        return p;
    }

    /**
     * Supervises {@code c}, the running container of {@code w} that an earlier agent of this node
     * started: the process waits for it and exits with its code; its output still goes to the
     * attempt's log, which the container holds open.
     */
    Process adopt(Worker w, ContainerRuntime.Labelled c) throws IOException {
        w.container = c.name();
        w.imageDigest = c.digest();
        w.containerEnvFile = workDir.resolve("containers").resolve(c.name() + ".env");
        w.uid = identity.forJob(w.assignment.jobId(), w.assignment.jobUid()).map(WorkerIdentity.Ids::uid).orElse(-1);
        ProcessBuilder pb = new ProcessBuilder(runtime.waitArgv(c.name()));
        pb.environment().clear();
        pb.environment().putAll(WorkerLauncher.PRIVILEGED_ENV);
        pb.directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(Redirect.DISCARD);
        return pb.start();
    }

    /** The runtime's environment file: one {@code NAME=value} a line, taken literally. */
    static String render(Map<String, String> env) {
        StringBuilder out = new StringBuilder();
        env.forEach((k, v) -> {
            if (!k.matches("[A-Za-z_][A-Za-z0-9_]*") || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0 || v.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("environment variable '" + k + "' cannot be passed into a container "
                        + "(an invalid name, or a line break in its value)");
            }
            out.append(k).append('=').append(v).append('\n');
        });
        return out.toString();
    }
}
