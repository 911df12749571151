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

    @Option(names = {"-p", "--port"}, defaultValue = "8080", description = "REST API port (default ${DEFAULT-VALUE})")
    int port;

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
        Path runDir = home.resolve(".tessera").resolve("demo-" + System.currentTimeMillis());
        System.out.println("Starting a scheduler and 3 agents (Ascend 910B, Nvidia H20, ACME TPX-1; 8 devices each)");
        System.out.println("logs and worker output: " + runDir);
        DemoCluster cluster = DemoCluster.start(home, runDir, port);
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "tessera-demo-shutdown"));
        ApiClient api = new ApiClient(cluster.url(), cluster.adminToken());
        System.out.println("admin token (send as 'Authorization: Bearer <token>'): " + cluster.adminToken());
        var cfg = DemoClientConfig.write(cluster.url(), cluster.adminToken(), System.getProperty("user.home"), System.getenv());
        System.out.println(cfg.map(f -> "the client commands (bin/tessera jobs, ...) now use this cluster: " + f)
                .orElse("your client config file is your own, so it was left alone; for this cluster run:\n  export "
                        + "TESSERA_URL=" + cluster.url() + " TESSERA_TOKEN=" + cluster.adminToken()));
        awaitNodes(api);
        String id = submit(api, home, runDir);
        String state = follow(api, id);
        System.out.println("\njob " + id + " finished: " + state);
        if (once) {
            return "SUCCEEDED".equals(state) ? 0 : 1;
        }
        System.out.println("\nThe cluster stays up at " + cluster.url() + " until Ctrl-C. In another terminal, try:");
        System.out.println("  bin/tessera status " + id);
        System.out.println("  bin/tessera logs " + id + " --shard 0 --tail 5");
        System.out.println("  bin/tessera fleet");
        System.out.println("  bin/tessera submit examples/job.yaml --watch");
        new CountDownLatch(1).await();
        return 0;
    }

    private void awaitNodes(ApiClient api) throws Exception {
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            JsonNode nodes = api.get("/v1/nodes").get("nodes");
            if (nodes.size() == DemoCluster.NODES.size()) {
                System.out.println("all " + nodes.size() + " nodes registered");
                return;
            }
            pause();
        }
        throw new IOException("agents did not register within 60 s; see the agent logs");
    }

    private String submit(ApiClient api, Path home, Path runDir) throws Exception {
        Path file = job != null ? job : home.resolve("examples/demo-job.yaml");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path checkpoints = runDir.resolve("checkpoints");
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
