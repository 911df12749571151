package io.tessera.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.TreeMap;
import io.tessera.scheduler.security.Tokens;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real scheduler member in its own JVM, for the load harness: a generated config (an admin
 * token, a join token, the heartbeat interval, durable embedded state unless memory-only, rate
 * limits off for the harness's admin), and its CPU time, RSS and heap read from /proc and /metrics.
 */
final class ScaleScheduler implements AutoCloseable {
    private final Process process;
    private final String url;
    private final String admin = Tokens.generate("tsk_");
    private final String join = Tokens.generate("tsj_");
    private final String heap;
    private final long heartbeatMs;
    private final Path dir;
    private final HttpClient http = HttpClient.newHttpClient();

    private ScaleScheduler(String heap, long heartbeatMs, boolean memoryOnly) throws IOException {
        this.heap = heap;
        this.heartbeatMs = heartbeatMs;
        this.dir = Files.createTempDirectory("tessera-load");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        this.url = "http://127.0.0.1:" + port;
        Files.writeString(dir.resolve("tokens.yaml"), "tokens:\n  - {name: load, role: admin, sha256: " + Tokens.sha256(admin) + "}\n");
        Files.writeString(dir.resolve("join"), Tokens.sha256(join) + "\n");
        Path config = Files.writeString(dir.resolve("scheduler.yaml"), String.join("\n",
                "httpPort: " + port, "clusterName: load", "heartbeatIntervalMs: " + heartbeatMs,
                "heartbeatTimeoutMs: " + Math.max(15_000, 5 * heartbeatMs), "dataDir: " + (memoryOnly ? "none" : dir.resolve("state")),
                "auth: {mode: token, tokenFile: " + dir.resolve("tokens.yaml") + ", joinTokenFile: " + dir.resolve("join") + "}",
                // An older scheduler (for before/after figures: -Dtessera.legacyConfig=true) has no limits block.
                Boolean.getBoolean("tessera.legacyConfig") ? ""
                        : "limits: {maxQueuedJobsPerUser: 1000000, maxSpecBytesPerUser: 1099511627776, maxConnections: 100000"
                        + (System.getProperty("tessera.heartbeatCeiling") == null ? ""
                        : ", maxHeartbeatsPerSec: " + System.getProperty("tessera.heartbeatCeiling")) + "}", ""));
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String jar = Path.of(System.getProperty("tessera.schedulerJar", "scheduler/target/tessera-scheduler.jar")).toString();
        List<String> cmd = new ArrayList<>(List.of(javaBin, "-Xmx" + heap, "-XX:+ExitOnOutOfMemoryError"));
        String extra = System.getProperty("tessera.schedulerJvmArgs", "").strip();
        if (!extra.isEmpty()) {
            cmd.addAll(List.of(extra.split("\\s+")));
        }
        cmd.addAll(List.of("-jar", jar, "scheduler", "--config", config.toString()));
        this.process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("scheduler.log").toFile()).start();
        System.out.println("scheduler pid " + process.pid() + ", log " + dir.resolve("scheduler.log"));
    }

    static ScaleScheduler start(String heap, long heartbeatMs, boolean memoryOnly) throws Exception {
        ScaleScheduler s = new ScaleScheduler(heap, heartbeatMs, memoryOnly);
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                int ready = s.http.send(HttpRequest.newBuilder(URI.create(s.url + "/readyz")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode();
                if (ready == 200 || (ready == 404 && s.http.send(HttpRequest.newBuilder(URI.create(s.url + "/healthz")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200)) {
                    return s;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (!s.process.isAlive()) {
                throw new IllegalStateException("the scheduler exited; see " + s.dir.resolve("scheduler.log"));
            }
            Thread.sleep(200); // polling the scheduler's readiness, bounded by the deadline
        }
        s.close();
        throw new IllegalStateException("the scheduler did not become ready in 90 s");
    }

    String url() {
        return url;
    }

    String adminToken() {
        return admin;
    }

    String joinToken() {
        return join;
    }

    long heartbeatMs() {
        return heartbeatMs;
    }

    String heap() {
        return heap;
    }

    /** User plus system CPU of the scheduler process so far (from /proc/PID/stat, in clock ticks of 10 ms). */
    long cpuNanos() {
        try {
            String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Resident memory of the scheduler process. */
    long rssBytes() {
        try {
            return Files.readAllLines(Path.of("/proc/" + process.pid() + "/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                    .map(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024).findFirst().orElse(-1L);
        } catch (IOException e) {
            return -1;
        }
    }

    /** Heap in use, from the scheduler's own /metrics. */
    double heapUsedBytes() {
        try {
            String text = http.send(HttpRequest.newBuilder(URI.create(url + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            return text.lines().filter(l -> l.startsWith("jvm_memory_used_bytes") && l.contains("area=\"heap\""))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        } catch (Exception e) {
            return -1;
        }
    }

    /**
     * The scheduler's own submit-to-commit time at quantile {@code q}, from its
     * {@code tessera_queue_wait_seconds} histogram: the upper bound of the first bucket holding
     * that share of the jobs (so a figure not disturbed by delivery through the harness).
     */
    double queueWaitQuantile(double q) {
        try {
            String text = http.send(HttpRequest.newBuilder(URI.create(url + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            TreeMap<Double, Double> buckets = new TreeMap<>();
            text.lines().filter(l -> l.startsWith("tessera_queue_wait_seconds_bucket")).forEach(l -> {
                String le = l.substring(l.indexOf("le=\"") + 4, l.indexOf('"', l.indexOf("le=\"") + 4));
                buckets.put(le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le),
                        Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)));
            });
            double total = buckets.isEmpty() ? 0 : buckets.lastEntry().getValue();
            return buckets.entrySet().stream().filter(e -> e.getValue() >= q * total).map(Map.Entry::getKey)
                    .findFirst().orElse(Double.NaN);
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    /** Bytes the scheduler's embedded database takes on disk now (0 when memory-only). */
    long databaseBytes() {
        try (var files = Files.walk(dir.resolve("state"))) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        } catch (IOException e) {
            return 0;
        }
    }

    /** Stops the scheduler with SIGTERM, as an operator would, and says how many ERROR lines it logged while stopping. */
    @Override
    public void close() {
        long before = dir.resolve("scheduler.log").toFile().length();
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                System.out.println("shutdown: the scheduler did not stop within 20 s of SIGTERM; killed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try (var in = new RandomAccessFile(dir.resolve("scheduler.log").toFile(), "r")) {
            in.seek(before);
            byte[] rest = new byte[(int) Math.min(Integer.MAX_VALUE, in.length() - before)];
            in.readFully(rest);
            long errors = new String(rest, StandardCharsets.UTF_8).lines().filter(l -> l.contains(" ERROR ")).count();
            System.out.printf("shutdown: exit %s, %d ERROR lines logged after SIGTERM%n",
                    process.isAlive() ? "?" : Integer.toString(process.exitValue()), errors);
        } catch (IOException e) {
            System.out.println("shutdown: cannot read the log: " + e.getMessage());
        }
    }
}
