package io.tessera.agent;

import io.tessera.agent.metrics.AgentMetrics;
import java.util.HashSet;
import io.tessera.config.wire.ContainerSupport;
import io.tessera.config.wire.LogEndpoint;
import java.util.concurrent.ScheduledFuture;
import java.util.Set;
import io.tessera.agent.detect.DeviceDetector;
import io.tessera.agent.detect.Inventory;
import io.tessera.agent.worker.WorkerSupervisor;
import io.tessera.config.AgentConfig;
import io.tessera.config.wire.Heartbeat;
import io.tessera.config.wire.CommPlan;
import io.tessera.agent.net.ListeningPorts;
import io.tessera.agent.net.PortGuard;
import io.tessera.config.wire.RegisterRequest;
import io.tessera.config.wire.RegisterResponse;
import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the node, then heartbeats on the interval the scheduler asks for, carrying the
 * device inventory and every worker's report. Registers again whenever the scheduler says it
 * does not know the node. Scheduler outages are logged once and ridden through: workers keep
 * running and the loop keeps trying. One dedicated thread; a failing beat never stops the loop.
 * A worker that starts or stops ({@link #soon}) brings the next beat forward to
 * {@value #SOON_MS} ms, so the scheduler learns of it without waiting out a long interval (a
 * large fleet's interval stretches to many seconds); several changes within that time share one beat.
 */
final class HeartbeatLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatLoop.class);
    private final AgentConfig config;
    private final DeviceDetector detector;
    private final WorkerSupervisor supervisor;
    private final SchedulerClient client;
    private final InventoryView inventory;
    private final AgentMetrics metrics;
    private final Set<String> warned = new HashSet<>();
    private final CredentialKeeper credentials;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tessera-heartbeat");
        t.setDaemon(true);
        return t;
    });
    private volatile long intervalMs;
    private boolean registered;
    /** How soon a beat follows a worker's start or exit. */
    static final long SOON_MS = 200;
    private ScheduledFuture<?> next;
    /** A worker changed since the last beat's reports were taken. */
    private volatile boolean changed;
    private boolean outageLogged;

    HeartbeatLoop(AgentConfig config, DeviceDetector detector, WorkerSupervisor supervisor, SchedulerClient client,
                  InventoryView inventory, AgentMetrics metrics) {
        this.metrics = metrics;
        this.credentials = new CredentialKeeper(config, client);
        this.config = config;
        this.inventory = inventory;
        this.detector = detector;
        this.supervisor = supervisor;
        this.client = client;
        this.intervalMs = config.heartbeatIntervalMs();
    }

    private volatile LogEndpoint logs;
    private volatile ContainerSupport containers;

    /** The container runtime to announce at registration (none when never called). */
    void advertise(ContainerSupport support) {
        this.containers = support;
    }

    /** The log endpoint to announce at registration. */
    void advertise(LogEndpoint endpoint) {
        this.logs = endpoint;
    }

    void start() {
        thread.execute(this::beat);
    }

    /** A worker started or stopped: beat within {@value #SOON_MS} ms rather than at the next interval. */
    void soon() {
        changed = true;
        synchronized (this) {
            if (next != null && next.getDelay(TimeUnit.MILLISECONDS) > SOON_MS && next.cancel(false)) {
                next = thread.schedule(this::beat, SOON_MS, TimeUnit.MILLISECONDS);
            }
        }
    }

    private void beat() {
        changed = false; // this beat carries every change so far
        try {
            Inventory inv = detector.detect();
            inv.problems().forEach(p -> LOG.warn("detection: {}", p));
            inventory.update(inv.devices());
            metrics.devices(inv.devices());
            warnAboutSickDevices();
            credentials.ensure();
            if (!registered) {
                RegisterResponse resp = client.register(new RegisterRequest(config.node(), config.address(),
                        config.labels(), inv.devices(), supervisor.reports(), logs, containers));
                intervalMs = resp.heartbeatIntervalMs();
                registered = true;
                LOG.info("registered node {} with {} devices at {}", config.node(), inv.devices().size(),
                        config.schedulerUrl());
            } else {
                long asked = client.heartbeat(new Heartbeat(config.node(), inv.devices(), supervisor.reports(),
                        PortGuard.busy(ListeningPorts.read(), CommPlan.PORT_BASE, CommPlan.PORT_SPAN)))
                        .heartbeatIntervalMs();
                if (asked > 0 && asked != intervalMs) {
                    LOG.info("scheduler asks for a heartbeat every {} ms (was {} ms): the fleet's size changed", asked,
                            intervalMs);
                    intervalMs = asked;
                }
                metrics.heartbeat(true);
            }
            if (outageLogged) {
                LOG.info("scheduler reachable again");
                outageLogged = false;
            }
        } catch (SchedulerClient.UnauthorizedException e) {
            metrics.heartbeat(false);
            LOG.warn("scheduler refused this node's credential; enrolling again ({})", e.getMessage());
            registered = false;
            try {
                credentials.invalidate();
            } catch (IOException io) {
                LOG.warn("could not remove the stale credential: {}", io.getMessage());
            }
        } catch (SchedulerClient.UnknownNodeException e) {
            LOG.info("scheduler does not know node {}; registering again", config.node());
            registered = false;
        } catch (IOException | RuntimeException e) {
            metrics.heartbeat(false);
            if (!outageLogged) {
                LOG.warn("scheduler unreachable ({}); workers keep running, retrying every {} ms", e.getMessage(),
                        intervalMs);
                outageLogged = true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        synchronized (this) {
            if (!thread.isShutdown()) {
                long delay = !registered ? Math.min(intervalMs, 1000) : changed ? SOON_MS : intervalMs;
                next = thread.schedule(this::beat, delay, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Logs, once per worker and device, a running worker whose device turned unhealthy. */
    private void warnAboutSickDevices() {
        for (var a : supervisor.running()) {
            for (var d : inventory.unhealthyAmong(a.devices())) {
                if (warned.add(a.jobId() + "/" + a.shard() + "/" + a.attempt() + "/" + d.index())) {
                    LOG.warn("shard {} of {} runs on device {}, which is unhealthy: {}", a.shard(), a.jobId(), d.index(),
                            d.problem());
                }
            }
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
