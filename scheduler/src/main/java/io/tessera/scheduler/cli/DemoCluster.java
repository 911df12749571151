package io.tessera.scheduler.cli;

import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import io.tessera.config.SchedulerConfig;
import io.tessera.scheduler.SchedulerNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The demo's local cluster: one in-process scheduler member and three agent JVMs (an Ascend 910B,
 * an Nvidia H20 and an ACME TPX-1 node, 8 devices each), with configs and logs under a run directory.
 */
final class DemoCluster implements AutoCloseable {
    /** The demo nodes: name, catalog chip type. */
    static final List<String[]> NODES = List.of(
            new String[] {"ascend-node-1", "ascend-910b"},
            new String[] {"nvidia-node-1", "nvidia-h20"},
            new String[] {"asic-node-1", "acme-tpx1"});

    private final SchedulerNode scheduler;
    private final List<Process> agents = new ArrayList<>();
    /** Whether the agents run shards with an image in Podman, and the demo images built for them. */
    private DemoContainers containers = DemoContainers.check();
    private List<String> images = List.of();
    private final Map<String, Path> logs = new LinkedHashMap<>();
    private final Path runDir;

    private DemoCluster(SchedulerNode scheduler, Path runDir) {
        this.scheduler = scheduler;
        this.runDir = runDir;
    }

    static DemoCluster start(Path home, Path runDir, int port) throws IOException {
        Files.createDirectories(runDir);
        SchedulerConfig cfg = SchedulerConfig.defaults().withEndpoint(port, "tessera-demo-" + ProcessHandle.current().pid())
                .withHeartbeat(1000, 10_000).withDataDir(runDir.resolve("data").toString());
        DemoCluster cluster = new DemoCluster(SchedulerNode.start(cfg, Clock.systemUTC()), runDir);
        try {
            Path agentJar = home.resolve("agent/target/tessera-agent.jar");
            if (!Files.isRegularFile(agentJar)) {
                throw new IOException(agentJar + " is missing; build with ./mvnw -DskipTests package");
            }
            cluster.images = cluster.containers.images(agentJar, runDir.resolve("images.log"));
            List<Integer> metricsPorts = DemoPorts.agentMetrics(cluster.scheduler.port(), NODES.size());
            for (int i = 0; i < NODES.size(); i++) {
                cluster.agents.add(cluster.startAgent(agentJar, NODES.get(i)[0], NODES.get(i)[1], metricsPorts.get(i)));
            }
            return cluster;
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private Process startAgent(Path agentJar, String node, String chip, int metricsPort) throws IOException {
        Path config = runDir.resolve(node + ".yaml");
        Files.deleteIfExists(config); // it holds the join token: readable by its owner only
        Files.createFile(config, PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------")));
        Files.writeString(config, String.join("\n",
                "schedulerUrl: " + url(),
                "node: " + node,
                "address: 127.0.0.1",
                "labels: {zone: demo, vendor-hint: " + chip.split("-")[0] + "}",
                "devices: [{source: simulated, chipType: " + chip + ", count: 8}]",
                "workDir: " + runDir.resolve(node),
                "heartbeatIntervalMs: 1000",
                "metricsPort: " + metricsPort,
                "metricsHost: 127.0.0.1",
                containers.agentYaml(),
                "joinToken: " + joinToken(), ""));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = runDir.resolve(node + ".log");
        logs.put(node, log);
        return new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar",
                agentJar.toString(), "agent", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Why the agents run no containers, or empty when they do. */
    Optional<String> containersUnavailable() {
        return containers.unavailable();
    }

    /** The demo images built for container jobs (empty when none could be). */
    List<String> images() {
        return images;
    }

    /** Each agent's log, by node. */
    Map<String, Path> agentLogs() {
        return Map.copyOf(logs);
    }

    /** The logs of the agents whose process has exited, by node. */
    Map<String, Path> exitedAgents() {
        Map<String, Path> out = new LinkedHashMap<>();
        List<String> nodes = List.copyOf(logs.keySet());
        for (int i = 0; i < agents.size(); i++) {
            if (!agents.get(i).isAlive()) {
                out.put(nodes.get(i), logs.get(nodes.get(i)));
            }
        }
        return out;
    }

    /** The last {@code n} lines of {@code log} ("" when it cannot be read). */
    static String tail(Path log, int n) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    /** The admin token the demo scheduler generated. */
    String adminToken() {
        return scheduler.auth().generatedAdmin().orElseThrow();
    }

    private String joinToken() {
        return scheduler.auth().generatedJoin().orElseThrow();
    }

    String url() {
        return "http://127.0.0.1:" + scheduler.port();
    }

    Path runDir() {
        return runDir;
    }

    private boolean closed;

    /** Stops the agents, then the scheduler; once (the demo's shutdown hook may call it again). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Process p : agents) {
            p.destroy();
        }
        for (Process p : agents) {
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        scheduler.close();
    }
}
