package io.tessera.agent;

import java.io.IOException;
import io.tessera.agent.logs.LogServer;
import java.io.UncheckedIOException;
import io.tessera.agent.detect.DeviceDetector;
import io.tessera.agent.detect.Detectors;
import io.tessera.agent.detect.ProcessCommandRunner;
import io.tessera.agent.metrics.AgentMetrics;
import io.tessera.agent.metrics.MetricsServer;
import io.tessera.agent.worker.PathReach;
import io.tessera.agent.worker.SafeFiles;
import io.tessera.agent.worker.WorkerIdentity;
import io.tessera.agent.worker.WorkerLauncher;
import io.tessera.agent.worker.WorkerSupervisor;
import io.tessera.agent.container.ContainerRuntime;
import io.tessera.agent.container.Containers;
import org.slf4j.LoggerFactory;
import io.tessera.config.AgentConfig;
import io.tessera.config.ChipCatalog;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A node agent: detects devices, heartbeats them with worker reports, and runs the workers the
 * scheduler assigns. The one place where the agent's parts are wired together.
 */
public final class Agent implements AutoCloseable {
    private final WorkerSupervisor supervisor;
    private final HeartbeatLoop heartbeats;
    private final AssignmentPoller poller;
    private final AgentMetrics metrics;
    private MetricsServer metricsServer;
    private LogServer logServer;

    public Agent(AgentConfig config, DeviceDetector detector, ChipCatalog catalog) {
        InventoryView inventory = new InventoryView();
        this.metrics = new AgentMetrics(config.node(), catalog);
        WorkerIdentity identity = identity(config);
        requireReachable(Path.of(config.workDir()), identity);
        this.supervisor = new WorkerSupervisor(Path.of(config.workDir()), inventory::visibilityEnvFor, metrics::workerExit,
                identity, identity.switches() ? WorkerLauncher.detect(config.pidNamespace()) : null);
        SchedulerClient client = new SchedulerClient(config.schedulerUrl());
        this.heartbeats = new HeartbeatLoop(config, detector, supervisor, client, inventory, metrics);
        if (config.containers().enabled()) {
            ContainerRuntime runtime = Containers.runtime(config.containers());
            supervisor.withContainers(runtime, config.node(), Containers.mounts(config.containers()));
            heartbeats.advertise(runtime.support());
        }
        supervisor.onPhaseChange(heartbeats::soon); // the scheduler hears of a start or an exit at once
        this.poller = new AssignmentPoller(config.node(), client, supervisor);
    }

    /**
     * Who workers run as: the one configured {@code workerUser}; else, for a root agent, a uid of
     * its own per job from {@code workerUids}; else the agent's own user.
     */
    static WorkerIdentity identity(AgentConfig config) {
        String me = System.getProperty("user.name");
        if (config.workerUser() != null) {
            if ("root".equals(me) && !config.workerUser().equals(me)) {
                LoggerFactory.getLogger(Agent.class).warn("workerUser {}: every job runs as {}, so jobs are not isolated "
                        + "from each other; unset workerUser to give each job a uid of its own (docs/security.md)",
                        config.workerUser(), config.workerUser());
            }
            return WorkerIdentity.of(config.workerUser());
        }
        if ("root".equals(me) && config.workerUidRange().isPresent()) {
            int[] range = config.workerUidRange().get();
            return WorkerIdentity.perJob(range[0], range[1]);
        }
        if ("root".equals(me)) {
            LoggerFactory.getLogger(Agent.class).warn("workerUids: none and no workerUser: workers run as root");
        }
        return WorkerIdentity.agentUser();
    }

    /**
     * Refuses to start when the users workers run as cannot reach the work directory (their
     * working directories, environment files and default checkpoints are below it): every worker
     * would fail with "Permission denied", and the fault is the node's, not the jobs'.
     */
    static void requireReachable(Path workDir, WorkerIdentity identity) {
        var who = identity.sample();
        if (who.isEmpty()) {
            return;
        }
        try {
            var blocked = PathReach.traverse(workDir, who.get());
            if (blocked.isPresent()) {
                throw new IllegalStateException("workers run as " + who.get().name() + ", who cannot reach workDir "
                        + workDir.toAbsolutePath() + ": " + blocked.get().describe() + " (docs/operations.md)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the modes on the way to workDir " + workDir, e);
        }
    }

    /** The port of this agent's /metrics endpoint, or -1 when it is off. */
    public int metricsPort() {
        return metricsServer == null ? -1 : metricsServer.port();
    }

    /** Checks the work directory (see {@link SafeFiles#checkWorkDir}), then starts the agent. */
    public static Agent start(AgentConfig config) {
        try {
            SafeFiles.checkWorkDir(Path.of(config.workDir()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare workDir " + config.workDir(), e);
        }
        ChipCatalog catalog = ChipCatalog.load(Optional.ofNullable(config.catalogFile()).map(Path::of));
        Agent agent = new Agent(config, Detectors.from(config, catalog, new ProcessCommandRunner()), catalog);
        if (config.metricsPort() >= 0) {
            try {
                agent.metricsServer = new MetricsServer(config.metricsHost(), config.metricsPort(), agent.metrics::scrape);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot serve /metrics on port " + config.metricsPort(), e);
            }
        }
        agent.supervisor.rotateLogsAbove(config.logs().maxBytes());
        try {
            agent.logServer = new LogServer(config.logs().host(), config.logs().port(),
                    config.address(), agent.supervisor);
            agent.heartbeats.advertise(agent.logServer.endpoint());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve logs on port " + config.logs().port(), e);
        }
        agent.heartbeats.start();
        agent.poller.start();
        return agent;
    }

    public WorkerSupervisor supervisor() {
        return supervisor;
    }

    /** Stops heartbeating and polling and kills this agent's workers. */
    @Override
    public void close() {
        if (metricsServer != null) {
            metricsServer.close();
        }
        if (logServer != null) {
            logServer.close();
        }
        poller.close();
        heartbeats.close();
        supervisor.close();
    }
}
