package io.tessera.agent;

import io.tessera.agent.detect.DeviceDetector;
import io.tessera.agent.detect.Detectors;
import io.tessera.agent.detect.ProcessCommandRunner;
import io.tessera.agent.worker.WorkerSupervisor;
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

    public Agent(AgentConfig config, DeviceDetector detector) {
        InventoryView inventory = new InventoryView();
        this.supervisor = new WorkerSupervisor(Path.of(config.workDir()), inventory::visibilityEnvFor);
        SchedulerClient client = new SchedulerClient(config.schedulerUrl());
        this.heartbeats = new HeartbeatLoop(config, detector, supervisor, client, inventory);
        this.poller = new AssignmentPoller(config.node(), client, supervisor);
    }

    /** Builds the detector the configuration names. */
    public static DeviceDetector detectorFor(AgentConfig config) {
        ChipCatalog catalog = ChipCatalog.load(Optional.ofNullable(config.catalogFile()).map(Path::of));
        return Detectors.from(config, catalog, new ProcessCommandRunner());
    }

    public static Agent start(AgentConfig config) {
        Agent agent = new Agent(config, detectorFor(config));
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
        poller.close();
        heartbeats.close();
        supervisor.close();
    }
}
