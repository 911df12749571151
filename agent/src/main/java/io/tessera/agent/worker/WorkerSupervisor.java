package io.tessera.agent.worker;

import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.Optional;
import java.io.UncheckedIOException;
import io.tessera.agent.worker.WorkerLifecycle.Action;
import io.tessera.agent.worker.WorkerLifecycle.Event;
import io.tessera.config.wire.AssignmentSet;
import io.tessera.config.wire.ShardAssignment;
import io.tessera.config.wire.ShardReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import io.tessera.agent.container.ContainerRun;
import io.tessera.agent.container.ContainerRuntime;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs real worker processes to match the node's assignment set: starts what is assigned and
 * missing, kills the whole process tree of what is no longer assigned, and reports every
 * worker's phase, pid, exit code and progress. Decisions come from {@link WorkerLifecycle};
 * this class only performs them. Thread-safe.
 *
 * <p>If the scheduler's assignment version goes backwards, the scheduler lost its state; running
 * workers are then kept (not killed) until a scheduler claims them again or they exit.
 */
public final class WorkerSupervisor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerSupervisor.class);
    private static final long KILL_GRACE_MS = 5000;
    private final Path workDir;
    private final Map<String, Worker> workers = new LinkedHashMap<>();
    private final Set<String> keptAfterReset = new HashSet<>();
    private final ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tessera-worker-killer");
        t.setDaemon(true);
        return t;
    });
    private final Function<List<Integer>, Optional<String>> visibilityOverride;
    private long lastVersion = -1;

    private final IntConsumer onExit;
    private final WorkerIdentity identity;
    private final WorkerLauncher launcher;
    private final ShardFiles files;
    private final RunningWorkerFiles running;
    private final WorkerStarter starter;
    /** Runs the workers whose shards run in an image; null when this node runs no containers. */
    private ContainerWorkers containers;

    public WorkerSupervisor(Path workDir) {
        this(workDir, devices -> Optional.empty(), code -> { }, WorkerIdentity.agentUser());
    }

    public WorkerSupervisor(Path workDir, Function<List<Integer>, Optional<String>> visibilityOverride,
                            IntConsumer onExit, WorkerIdentity identity) {
        this(workDir, visibilityOverride, onExit, identity, identity.switches() ? WorkerLauncher.detect(null) : null);
    }

    /**
     * @param visibilityOverride a device-visibility variable declared by the devices themselves (exec plug-ins)
     * @param onExit             told every worker exit code (metrics)
     * @param identity           who workers run as
     * @param launcher           how a worker drops privileges; needed when {@code identity} switches users
     */
    public WorkerSupervisor(Path workDir, Function<List<Integer>, Optional<String>> visibilityOverride,
                            IntConsumer onExit, WorkerIdentity identity, WorkerLauncher launcher) {
        this.identity = identity;
        this.launcher = launcher;
        this.files = new ShardFiles(workDir, identity, launcher);
        this.running = new RunningWorkerFiles(files);
        this.starter = new WorkerStarter(workDir, files, identity, launcher, visibilityOverride);
        try {
            identity.adopt(files.jobsDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the uids of earlier jobs under " + files.jobsDir(), e);
        }
        this.workDir = workDir;
        this.visibilityOverride = visibilityOverride;
        this.onExit = onExit;
    }

    /**
     * Runs the workers of shards with an image in containers of {@code runtime}, as node {@code node}.
     * Of the containers an earlier agent of this node left running, the first assignment set's
     * are adopted and the rest removed ({@link ContainerWorkers}).
     */
    public synchronized WorkerSupervisor withContainers(ContainerRuntime runtime, String node,
                                                        List<ContainerRun.Mount> allowedMounts) {
        this.containers = new ContainerWorkers(workDir, files, identity, runtime, node, allowedMounts, starter);
        return this;
    }

    /** The assignments of the workers that are running now. */
    public synchronized List<ShardAssignment> running() {
        return workers.values().stream().filter(w -> w.state == WorkerLifecycle.State.RUNNING)
                .map(w -> w.assignment).toList();
    }

    /** Brings the running workers in line with {@code set}. */
    public synchronized void reconcile(AssignmentSet set) {
        if (set.version() < lastVersion) {
            LOG.warn("assignment version went back from {} to {}: the scheduler lost its state; keeping {} workers",
                    lastVersion, set.version(), workers.size());
            keptAfterReset.addAll(workers.keySet());
        }
        lastVersion = set.version();
        Map<String, ShardAssignment> desired = new LinkedHashMap<>();
        set.shards().forEach(a -> desired.put(Worker.key(a), a));
        keptAfterReset.removeAll(desired.keySet());
        for (Worker w : new ArrayList<>(workers.values())) {
            String key = Worker.key(w.assignment);
            if (!desired.containsKey(key) && !keptAfterReset.contains(key)) {
                apply(w, Event.UNASSIGNED);
            }
        }
        desired.forEach((key, a) -> {
            Worker existing = workers.get(key);
            if (a.stopGraceMs() != null) {
                if (existing != null && existing.assignment.attempt() == a.attempt()) {
                    existing.stopGraceMs = a.stopGraceMs();
                    apply(existing, Event.STOP_REQUESTED); // preempted: let it checkpoint, then it ends
                }
                return; // a shard told to stop is never started
            }
            if (existing != null && a.incarnation() > existing.assignment.incarnation()) {
                restartInPlace(existing, a);
            } else if (existing == null) {
                Worker w = new Worker(a, files.log(a.jobId(), a.shard(), a.attempt()));
                w.splits.add(new ShardFiles.Split(a.splitVersion(), a.microBatch(), a.accumulation()));
                workers.put(key, w);
                var left = containers == null || a.image() == null ? Optional.<ContainerRuntime.Labelled>empty()
                        : containers.adoptable(key);
                if (left.isPresent()) {
                    containers.adopt(w, left.get(), supervision);
                    return;
                }
                apply(w, Event.ASSIGNED);
            } else if (a.imageDigest() != null && existing.pinned == null && existing.assignment.imageDigest() == null) {
                existing.pinned = a.imageDigest(); // the scheduler pinned the digest: start it
                containers.startIfPinned(existing, supervision);
            } else if (a.splitVersion() > existing.splits.get(existing.splits.size() - 1).version()) {
                running.resplit(existing, a);
            }
            if (existing != null && workers.get(key) == existing && a.generation() > existing.generation) {
                running.regenerate(existing, a);
            }
        });
        if (containers != null) {
            containers.settled(); // what the first set did not claim goes
        }
    }

    /**
     * The scheduler restarted this shard's worker in place (the recovery ladder's process rung): the
     * next incarnation starts at the same attempt, appending to the same log, while the gang's other
     * workers keep running. A worker of the older incarnation still running is killed first.
     */
    private void restartInPlace(Worker old, ShardAssignment a) {
        if (!old.state.terminal()) {
            apply(old, Event.UNASSIGNED);
        }
        workers.remove(Worker.key(a));
        Worker w = new Worker(a, old.log);
        w.checkpoint = old.checkpoint;
        w.checkpointSec = old.checkpointSec;
        w.splits.add(new ShardFiles.Split(a.splitVersion(), a.microBatch(), a.accumulation()));
        workers.put(Worker.key(a), w);
        LOG.info("shard {} of {} (attempt {}): restarting its worker in place as incarnation {} (gang generation {})",
                a.shard(), a.jobId(), a.attempt(), a.incarnation(), a.generation());
        apply(w, Event.ASSIGNED);
    }

    /** A report for every worker the agent knows. */
    public synchronized List<ShardReport> reports() {
        List<ShardReport> out = new ArrayList<>();
        for (Worker w : workers.values()) {
            ProgressReader.latest(w.log).ifPresent(w::progressed);
            LogFiles.rotateIfOver(w.log, maxLogBytes);
            out.add(w.report());
        }
        return out;
    }

    private volatile long maxLogBytes = 64L << 20;

    /** Rotates an attempt's log above {@code bytes} (checked at every report). */
    public void rotateLogsAbove(long bytes) {
        this.maxLogBytes = bytes;
    }

    /** The log file of one attempt of a shard. */
    public Path logFile(String jobId, int shard, int attempt) {
        return files.log(jobId, shard, attempt);
    }

    /** The log file of a shard's latest attempt on this node (attempt 1 when it has none). */
    public Path logFile(String jobId, int shard) {
        return files.log(jobId, shard, attempts(jobId, shard).stream().mapToInt(i -> i).max().orElse(1));
    }

    /** The attempts of a shard whose logs this node holds, in order. */
    public List<Integer> attempts(String jobId, int shard) {
        return files.attempts(jobId, shard);
    }

    /** Whether a worker of that attempt may still write to its log. */
    public synchronized boolean writing(String jobId, int shard, int attempt) {
        Worker w = workers.get(jobId + "/" + shard + "/" + attempt);
        return w != null && !w.state.terminal();
    }

    private volatile Runnable onPhaseChange = () -> { };

    /** Calls {@code listener} whenever a worker's reported phase changes (it started, exited, was killed). */
    public void onPhaseChange(Runnable listener) {
        this.onPhaseChange = listener;
    }

    private void apply(Worker w, Event event) {
        WorkerLifecycle.Step step = WorkerLifecycle.on(w.state, event);
        boolean phaseChanged = w.state.phase() != step.next().phase();
        w.state = step.next();
        if (phaseChanged) {
            onPhaseChange.run();
        }
        for (Action action : step.actions()) {
            switch (action) {
                case LAUNCH -> launch(w);
                case KILL_TREE -> killTree(w, KILL_GRACE_MS);
                case TERMINATE -> killTree(w, w.stopGraceMs);
                case FORGET -> workers.remove(Worker.key(w.assignment));
            }
        }
    }

    private void launch(Worker w) {
        if (w.assignment.image() != null && containers == null) {
            refuse(w, ShardReport.Refusal.NO_CONTAINER_RUNTIME, "shard runs in image " + w.assignment.image()
                    + ", and this node runs no containers (containers.runtime: none)");
            return;
        }
        if (w.assignment.image() != null) {
            containers.launch(w, supervision);
            return;
        }
        started(w, () -> starter.start(w));
    }

    private void refuse(Worker w, ShardReport.Refusal why, String message) {
        w.message = message;
        w.refusal = why;
        apply(w, Event.REFUSED);
        LOG.warn("refused to start shard {} of {}: {}", w.assignment.shard(), w.assignment.jobId(), message);
    }

    /** What {@link ContainerWorkers} does to workers, under this supervisor's lock. */
    private final ContainerWorkers.Supervision supervision = new ContainerWorkers.Supervision() {
        @Override
        public Object lock() {
            return WorkerSupervisor.this;
        }

        @Override
        public void started(Worker w, ContainerWorkers.Start how) {
            WorkerSupervisor.this.started(w, how);
        }

        @Override
        public void refused(Worker w, ShardReport.Refusal why, String message) {
            refuse(w, why, message);
        }

        @Override
        public void adopted(Worker w, Process p) {
            w.process = p;
            apply(w, Event.ADOPTED);
            p.onExit().thenAccept(done -> exited(w, done.exitValue()));
        }

        @Override
        public void notAdopted(Worker w) {
            apply(w, Event.ASSIGNED);
        }

        @Override
        public void changed() {
            onPhaseChange.run();
        }
    };

    private void started(Worker w, ContainerWorkers.Start how) {
        ShardAssignment a = w.assignment;
        try {
            Process p = how.start();
            w.process = p;
            apply(w, Event.LAUNCHED);
            LOG.info("started shard {} of {} (attempt {}) as pid {} on devices {}{}", a.shard(), a.jobId(), a.attempt(),
                    p.pid(), a.devices(), w.uid >= 0 ? " as uid " + w.uid : "");
            p.onExit().thenAccept(done -> exited(w, done.exitValue()));
        } catch (ShardFiles.SpecFault e) {
            refuse(w, ShardReport.Refusal.JOB_FILES, e.getMessage());
        } catch (IOException | RuntimeException e) {
            w.message = e.getMessage();
            apply(w, Event.LAUNCH_FAILED);
            LOG.warn("could not start shard {} of {}: {}", a.shard(), a.jobId(), e.getMessage());
        }
    }

    /**
     * Whether the launcher never read the worker's environment: it empties the file as soon as it
     * has, so a file still full means Tessera's launcher failed before the job's command ran.
     */
    private static boolean launcherFailed(Worker w) {
        try {
            return w.envFile != null && Files.size(w.envFile) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    private synchronized void exited(Worker w, int code) {
        w.exitCode = code;
        w.exit = new ShardReport.Exit(System.currentTimeMillis(), LogFiles.lastLines(w.log, ShardReport.Exit.TAIL_LINES));
        if (launcherFailed(w) && w.state == WorkerLifecycle.State.RUNNING) {
            w.message = "the launcher could not read the worker's environment file " + w.envFile + " (exit code " + code
                    + (w.exit.tail().isEmpty() ? "" : ": " + w.exit.tail().get(w.exit.tail().size() - 1)) + ")";
            w.exitCode = null;
            deleteEnvFile(w);
            onExit.accept(code);
            apply(w, Event.LAUNCH_FAILED);
            LOG.warn("shard {} of {} (attempt {}) was not started: {}", w.assignment.shard(), w.assignment.jobId(),
                    w.assignment.attempt(), w.message);
            return;
        }
        deleteEnvFile(w);
        onExit.accept(code);
        apply(w, Event.EXITED);
        LOG.info("shard {} of {} (attempt {}) ended with code {} ({})", w.assignment.shard(), w.assignment.jobId(),
                w.assignment.attempt(), code, w.state);
    }

    private static void deleteEnvFile(Worker w) {
        for (Path f : new Path[] {w.envFile, w.containerEnvFile}) {
            if (f != null) {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException e) {
                    LOG.warn("could not remove {}: {}", f, e.getMessage());
                }
            }
        }
    }

    /** SIGTERM to the worker and every descendant, then SIGKILL to survivors after {@code graceMs}. */
    private void killTree(Worker w, long graceMs) {
        if (w.process == null) {
            return;
        }
        if (w.container != null) { // the runtime signals the worker in its container, then removes it
            containers.stop(w.container, graceMs);
            return;
        }
        List<ProcessHandle> tree = new ArrayList<>(w.process.descendants().toList());
        tree.add(w.process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        killer.schedule(() -> tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly),
                graceMs, TimeUnit.MILLISECONDS);
    }

    /** Kills every running worker; used when the agent itself shuts down. */
    @Override
    public synchronized void close() {
        for (Worker w : workers.values()) {
            if (w.container != null && w.process != null && w.process.isAlive()) {
                containers.remove(w.container);
            }
            if (w.process != null && w.process.isAlive()) {
                List<ProcessHandle> tree = new ArrayList<>(w.process.descendants().toList());
                tree.add(w.process.toHandle());
                tree.forEach(ProcessHandle::destroyForcibly);
            }
        }
        killer.shutdownNow();
        if (containers != null) {
            containers.close();
        }
    }
}
