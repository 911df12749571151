package io.tessera.agent;

import io.tessera.agent.worker.WorkerSupervisor;
import io.tessera.config.wire.AssignmentSet;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Long-polls the node's assignment set and hands each new version to the supervisor.
 * On errors it backs off for a second and tries again; it stops only when closed.
 */
final class AssignmentPoller implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AssignmentPoller.class);
    private static final Duration POLL_TIMEOUT = Duration.ofSeconds(60);
    private final String node;
    private final SchedulerClient client;
    private final WorkerSupervisor supervisor;
    private final Thread thread;
    private volatile boolean running = true;

    AssignmentPoller(String node, SchedulerClient client, WorkerSupervisor supervisor) {
        this.node = node;
        this.client = client;
        this.supervisor = supervisor;
        this.thread = new Thread(this::run, "tessera-assignments");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        long version = -1;
        while (running) {
            if (!client.hasCredential()) { // the heartbeat thread enrolls first: a poll without a credential is refused
                LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
                continue;
            }
            try {
                AssignmentSet set = client.assignments(node, version, POLL_TIMEOUT);
                if (set.version() != version) {
                    LOG.debug("assignment set version {} with {} shards", set.version(), set.shards().size());
                    supervisor.reconcile(set);
                    version = set.version();
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("assignment poll failed: {}", e.getMessage());
                LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
