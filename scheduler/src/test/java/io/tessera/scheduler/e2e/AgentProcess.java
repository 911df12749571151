package io.tessera.scheduler.e2e;

import java.nio.file.attribute.PosixFilePermissions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A node agent as its own JVM (the agent CLI's {@code agent --config} command) with simulated
 * devices, running real worker processes. {@link #die()} is a node dying: the agent and every
 * worker it started are killed with SIGKILL at once.
 */
final class AgentProcess implements AutoCloseable {
    private final Path dir;
    private final String node;
    private final String schedulerUrls;
    private final String chip;
    private final int devices;
    private Process process;

    AgentProcess(Path dir, String node, String schedulerUrls, String chip, int devices) {
        this.dir = dir;
        this.node = node;
        this.schedulerUrls = schedulerUrls;
        this.chip = chip;
        this.devices = devices;
    }

    /** Starts (or starts again) the agent JVM; its work directory and credential are kept across starts. */
    AgentProcess start() throws IOException {
        Path config = dir.resolve(node + ".yaml");
        Files.deleteIfExists(config); // it holds the join token: readable by its owner only
        Files.createFile(config, PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------")));
        Files.writeString(config, String.join("\n",
                "schedulerUrl: \"" + schedulerUrls + "\"", "node: " + node, "address: 127.0.0.1", "labels: {zone: test}",
                "workDir: " + workDir(), "heartbeatIntervalMs: 300", "joinToken: " + TestCluster.JOIN,
                "workerUser: " + System.getProperty("user.name"), "metricsPort: -1",
                "devices:", "  - {source: simulated, chipType: " + chip + ", count: " + devices + "}", ""));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        process = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "io.tessera.agent.AgentCli", "agent", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(node + ".log").toFile()))
                .start();
        return this;
    }

    Path workDir() {
        return dir.resolve(node);
    }

    /** The log the agent writes for {@code jobId}/{@code shard}: its latest attempt's on this node (attempt 1 if none yet). */
    Path log(String jobId, int shard) {
        Path dir = workDir().resolve("logs").resolve(jobId).resolve("shard-" + shard);
        int latest = 1;
        try (var files = Files.list(dir)) {
            latest = files.map(p -> p.getFileName().toString()).filter(n -> n.matches("attempt-\\d+\\.log"))
                    .mapToInt(n -> Integer.parseInt(n.substring(8, n.length() - 4))).max().orElse(1);
        } catch (IOException e) {
            // no log yet
        }
        return dir.resolve("attempt-" + latest + ".log");
    }

    /** The node dies: SIGKILL to the agent and all its descendants (the workers) together. */
    void die() throws InterruptedException {
        List<ProcessHandle> tree = process.descendants().toList();
        process.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
        process.waitFor();
    }

    /** Sends a signal (STOP, CONT, ...) to the agent JVM only, not to its workers. */
    void signal(String name) throws IOException, InterruptedException {
        int rc = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start().waitFor();
        if (rc != 0) {
            throw new IOException("kill -" + name + " exited " + rc);
        }
    }

    String node() {
        return node;
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() throws Exception {
        if (alive()) {
            signal("CONT");
            die();
        }
    }
}
