package io.tessera.scheduler.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.scheduler.cli.client.ApiClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tessera demo}: a scheduler and three agents of three vendors on this machine, the
 * example job submitted, its placement and progress printed until it finishes; then the API
 * stays up until Ctrl-C, or with {@code --once} the demo exits 0 only if the job succeeded.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run a local 3-vendor demo cluster and a training job across it.")
final class DemoCommand implements Callable<Integer> {
    private static final Set<String> TERMINAL = Set.of("SUCCEEDED", "FAILED", "CANCELLED");

    @Option(names = "--once", description = "exit when the job finishes: 0 if it succeeded, 1 otherwise")
    boolean once;

    @Option(names = {"-p", "--port"}, description = "REST API port (default 8080, or a free one when 8080 is taken); "
            + "the agents' metrics take the next three ports (9401-9403 beside 8080), or free ones")
    Integer port;

    @Option(names = "--job", description = "job file to submit (default examples/demo-job.yaml)")
    Path job;

    @Option(names = "--worker", defaultValue = "java", description = "the example worker: java (the default, needs only a "
            + "JDK) or pytorch (examples/pytorch/train.py, needs Debian's python3-torch)")
    String worker;

    @Option(names = "--timeout", defaultValue = "PT5M", description = "give up after this long (default ${DEFAULT-VALUE})")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        Path home = Path.of(System.getProperty("tessera.home", ".")).toAbsolutePath().normalize();
        if (worker.equals("pytorch")) {
            if (!torchInstalled()) {
                System.err.println("tessera demo: --worker pytorch needs PyTorch for /usr/bin/python3; on Debian or Ubuntu: "
                        + "sudo apt-get install python3-torch");
                return 2;
            }
            job = job != null ? job : home.resolve("examples/pytorch/demo-job.yaml");
        } else if (!worker.equals("java")) {
            System.err.println("tessera demo: --worker must be java or pytorch");
            return 2;
        }
        DemoPlace place = DemoPlace.choose(home, "root".equals(System.getProperty("user.name")),
                Path.of(System.getProperty("java.io.tmpdir")), System.currentTimeMillis());
        place.notice().ifPresent(n -> System.out.println("note: " + n));
        int apiPort = port != null ? port : DemoPorts.preferredOrFree(DemoPorts.API);
        if (port == null && apiPort != DemoPorts.API) {
            System.out.println("port " + DemoPorts.API + " is taken (another demo?); this demo's API uses port " + apiPort);
        }
        System.out.println("Starting a scheduler and 3 agents (Ascend 910B, Nvidia H20, ACME TPX-1; 8 devices each)");
        System.out.println("logs and worker output: " + place.runDir());
        DemoCluster cluster = DemoCluster.start(home, place.runDir(), apiPort);
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "tessera-demo-shutdown"));
        ApiClient api = new ApiClient(cluster.url(), cluster.adminToken());
        System.out.println("admin token (send as 'Authorization: Bearer <token>'): " + cluster.adminToken());
        if (!once) { // a demo that exits leaves the client pointed where it was
            var cfg = DemoClientConfig.write(cluster.url(), cluster.adminToken(), System.getProperty("user.home"), System.getenv());
            System.out.println(cfg.map(f -> "the client commands (bin/tessera jobs, ...) now use this cluster: " + f)
                    .orElse("your client config file is your own, so it was left alone; for this cluster run:\n  export "
                            + "TESSERA_URL=" + cluster.url() + " TESSERA_TOKEN=" + cluster.adminToken()));
        }
        if (!awaitNodes(api, cluster)) {
            cluster.close();
            return 1;
        }
        String id = submit(api, place);
        String state = follow(api, id);
        System.out.println("\njob " + id + " finished: " + state);
        if (once) {
            cluster.close();
            return "SUCCEEDED".equals(state) ? 0 : 1;
        }
        System.out.println("\nThe cluster stays up at " + cluster.url() + " until Ctrl-C. In another terminal, try:");
        System.out.println("  bin/tessera status " + id);
        System.out.println("  bin/tessera logs " + id + " --shard 0 --tail 5");
        System.out.println("  bin/tessera fleet");
        System.out.println("  bin/tessera submit examples/job.yaml --watch");
        if (!cluster.images().isEmpty()) {
            System.out.println("  bin/tessera submit examples/containers/demo-variants.yaml --watch   "
                    + "# each vendor's shards in their own image (Podman)");
        } else {
            System.out.println("(container jobs are off in this demo: " + cluster.containersUnavailable()
                    .orElse("the demo images could not be built; see " + place.runDir().resolve("images.log")) + ")");
        }
        new CountDownLatch(1).await();
        return 0;
    }

    /** Waits for the agents to register; false, with each failed agent's last lines shown, when they do not. */
    private boolean awaitNodes(ApiClient api, DemoCluster cluster) throws Exception {
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline) && cluster.exitedAgents().isEmpty()) {
            JsonNode nodes = api.get("/v1/nodes").get("nodes");
            if (nodes.size() == DemoCluster.NODES.size()) {
                System.out.println("all " + nodes.size() + " nodes registered");
                return true;
            }
            pause();
        }
        var exited = cluster.exitedAgents();
        System.err.println("tessera demo: " + (exited.isEmpty() ? "the agents did not register within 60 s"
                : "agent " + String.join(", ", exited.keySet()) + " exited before registering"));
        (exited.isEmpty() ? cluster.agentLogs() : exited).forEach((node, log) -> System.err.println("  last lines of "
                + log + ":\n" + DemoCluster.tail(log, 8).indent(4).stripTrailing()));
        return false;
    }

    private String submit(ApiClient api, DemoPlace place) throws Exception {
        Path home = place.workersHome();
        Path file = job != null ? job : home.resolve("examples/demo-job.yaml");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path checkpoints = place.runDir().resolve("checkpoints");
        Files.createDirectories(checkpoints);
        // Workers may run as an unprivileged user (the agent's workerUser): let them write checkpoints.
        Files.setPosixFilePermissions(checkpoints, PosixFilePermissions.fromString("rwxrwxrwx"));
        String body = Files.readString(file).replace("${TESSERA_HOME}", home.toString()).replace("${JAVA}", java)
                .replace("${CHECKPOINT_DIR}", checkpoints.toString());
        String id = api.post("/v1/jobs", body, "application/yaml").get("id").asText();
        System.out.println("submitted " + file.getFileName() + " as " + id);
        return id;
    }

    private String follow(ApiClient api, String id) throws Exception {
        DemoPrinter printer = new DemoPrinter(System.out);
        Instant deadline = Instant.now().plus(timeout);
        int printedAttempt = 0;
        while (Instant.now().isBefore(deadline)) {
            JsonNode job = api.get("/v1/jobs/" + id);
            if (job.has("placement") && job.get("attempt").asInt() != printedAttempt) {
                printer.placement(job);
                printedAttempt = job.get("attempt").asInt();
            }
            printer.progress(job);
            if (TERMINAL.contains(job.get("state").asText())) {
                return job.get("state").asText();
            }
            pause();
        }
        return "TIMED_OUT";
    }

    private static boolean torchInstalled() throws InterruptedException {
        try {
            return new ProcessBuilder("/usr/bin/python3", "-c", "import torch").start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static void pause() throws InterruptedException {
        Thread.sleep(500);
    }
}
