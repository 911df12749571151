package io.tessera.bench;

import java.util.Collections;
import java.util.concurrent.CompletableFuture;
import java.lang.management.ManagementFactory;
import com.sun.management.OperatingSystemMXBean;
import java.util.Set;
import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.Documents;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The fleet-scale load harness: N simulated nodes speaking the real agent protocol over real HTTP
 * (enroll, register, heartbeat at the interval the scheduler asks for, long-poll assignments) to
 * a real scheduler, and a burst of gang jobs submitted through the API. It reports jobs placed per
 * second end to end (first submit to the last job's assignments delivered to every node it uses),
 * submit-to-delivered percentiles, heartbeats sustained, and the scheduler's heap, RSS and CPU
 * (when it runs the scheduler itself, {@link ScaleScheduler}), and its own limits: heartbeats it
 * sent late and its own CPU. Nodes run no workers: this measures scheduling, not training.
 *
 * <p>Usage: {@code java -cp tessera-bench.jar io.tessera.bench.LoadHarness [--nodes 9000] [--jobs 1800]
 * [--rate JOBS_PER_SEC] [--heartbeat-ms 2000] [--heap 512m] [--memory-only]}. Without {@code --rate} the
 * jobs come as one burst; with it, as a steady stream (the unloaded latency). After the jobs it
 * times dry runs ({@code POST /v1/plan}) on the loaded cluster, and reports the database's size and
 * what the scheduler logged when stopped with SIGTERM.
 */
public final class LoadHarness {
    private static final String[] CHIPS = {"ascend-910b", "nvidia-h20", "acme-tpx1"};
    private final HarnessHttp http;
    private final String url;
    private final String admin;
    private final Map<String, String> credentials = new ConcurrentHashMap<>();
    /** Nodes that registered, in order; heartbeats start with the first of them, as real agents' do. */
    private final List<String> registered = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Long> submitted = new ConcurrentHashMap<>();
    private final Map<String, Integer> shardsOf = new ConcurrentHashMap<>();
    private final Map<String, Set<Integer>> delivered = new ConcurrentHashMap<>();
    private final Map<String, Long> doneAt = new ConcurrentHashMap<>();
    private final AtomicLong heartbeatsAcked = new AtomicLong();
    private final AtomicLong heartbeatsLate = new AtomicLong();
    private volatile boolean running = true;
    /**
     * With {@code --report-running}, each node reports the shards delivered to it as RUNNING in its
     * next heartbeat, as an agent that started their workers would, and the report gives PLACED to
     * RUNNING from the jobs' own events.
     */
    private boolean reportRunning;
    /** The shards each node runs (reported as RUNNING with {@code --report-running}): JSON shard reports. */
    private final Map<String, String> runningReports = new ConcurrentHashMap<>();

    /** The heartbeat interval the scheduler asks for now (it stretches with the fleet's size). */
    private volatile long intervalMs;


    LoadHarness(String url, String admin) {
        this.http = new HarnessHttp(url);
        this.url = url;
        this.admin = admin;
    }

    public static void main(String[] args) throws Exception {
        int nodes = intArg(args, "--nodes", 9000);
        int jobs = intArg(args, "--jobs", nodes / 5);
        long heartbeatMs = intArg(args, "--heartbeat-ms", 2000);
        String heap = stringArg(args, "--heap", "512m");
        boolean memoryOnly = List.of(args).contains("--memory-only");
        double rate = Double.parseDouble(stringArg(args, "--rate", "0"));
        boolean reportRunning = List.of(args).contains("--report-running");
        try (ScaleScheduler scheduler = ScaleScheduler.start(heap, heartbeatMs, memoryOnly)) {
            LoadHarness h = new LoadHarness(scheduler.url(), scheduler.adminToken());
            h.reportRunning = reportRunning;
            h.run(nodes, jobs, rate, scheduler);
        }
        System.exit(0);
    }

    void run(int nodes, int jobs, double rate, ScaleScheduler scheduler) throws Exception {
        long t0 = System.nanoTime();
        ScheduledExecutorService beat = heartbeats(scheduler.heartbeatMs());
        Semaphore gate = new Semaphore(64);
        for (int i = 0; i < nodes; i++) {
            String node = "sim-" + i;
            gate.acquire();
            enrollAndRegister(node, CHIPS[i % CHIPS.length], scheduler.joinToken()).whenComplete((v, e) -> gate.release());
        }
        gate.acquire(64);
        gate.release(64);
        System.out.printf(Locale.ROOT, "registered %d nodes in %.1f s (%d errors)%n", credentials.size(),
                (System.nanoTime() - t0) / 1e9, http.errors());
        credentials.keySet().forEach(this::poll);
        Thread.sleep(3000); // let the long-polls and heartbeats settle before the burst (not a wait for a condition)
        long cpu0 = scheduler.cpuNanos();
        long acked0 = heartbeatsAcked.get();
        long burst = System.nanoTime();
        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor();
        progress.scheduleAtFixedRate(() -> System.out.printf(Locale.ROOT,
                "  %.0f s: %d of %d jobs delivered, %d heartbeats acknowledged, database %.1f MB%n",
                (System.nanoTime() - burst) / 1e9, doneAt.size(), submitted.size(), heartbeatsAcked.get(),
                scheduler.databaseBytes() / 1e6), 5, 5, TimeUnit.SECONDS);
        submit(jobs, rate);
        System.out.printf(Locale.ROOT, "submitted %d jobs in %.2f s%n", jobs, (System.nanoTime() - burst) / 1e9);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        long lastProgress = System.nanoTime();
        int seen = 0;
        while (doneAt.size() < jobs && System.nanoTime() < deadline
                && System.nanoTime() - lastProgress < TimeUnit.SECONDS.toNanos(30)) {
            Thread.sleep(50); // polling a counter the long-poll threads fill (bounded by the deadlines)
            if (doneAt.size() != seen) {
                seen = doneAt.size();
                lastProgress = System.nanoTime();
            }
        }
        progress.shutdownNow();
        long end = doneAt.values().stream().mapToLong(Long::longValue).max().orElse(System.nanoTime());
        double seconds = (end - burst) / 1e9;
        report(jobs, seconds, (heartbeatsAcked.get() - acked0) / ((System.nanoTime() - burst) / 1e9),
                (scheduler.cpuNanos() - cpu0) / 1e9, scheduler);
        ClusterProbes probes = new ClusterProbes(http, admin);
        if (reportRunning) {
            probes.placedToRunning(submitted.keySet().stream().sorted().limit(100).toList(), intervalMs);
        }
        probes.dryRuns(20);
        System.out.printf(Locale.ROOT, "database: %.1f MB on disk%n", scheduler.databaseBytes() / 1e6);
        running = false;
        beat.shutdownNow();
    }

    private CompletableFuture<Void> enrollAndRegister(String node, String chip, String join) {
        return http.send(http.of(node), "POST", "/v1/agents/enroll", null, "{\"node\":\"" + node + "\",\"joinToken\":\"" + join + "\"}")
                .thenCompose(r -> {
                    String cred = Documents.parseJson(r.body().getBytes()).get("credential").asText();
                    credentials.put(node, cred);
                    StringBuilder devices = new StringBuilder("[");
                    for (int d = 0; d < 8; d++) {
                        devices.append(d == 0 ? "" : ",").append("{\"index\":").append(d).append(",\"uuid\":\"").append(node)
                                .append('-').append(d).append("\",\"chipType\":\"").append(chip)
                                .append("\",\"rawName\":\"sim\",\"memoryGiB\":64,\"healthy\":true}");
                    }
                    return http.send(http.of(node), "POST", "/v1/agents/register", cred, "{\"node\":\"" + node + "\",\"address\":\"127.0.0.1\","
                            + "\"labels\":{\"zone\":\"z" + (node.hashCode() & 7) + "\"},\"devices\":" + devices + "],\"shards\":[]}");
                }).thenAccept(r -> {
                    intervalMs = Documents.parseJson(r.body().getBytes()).get("heartbeatIntervalMs").asLong();
                    registered.add(node);
                }).exceptionally(http::failed);
    }

    /**
     * Every node heartbeats once per interval (the one the scheduler last asked for), spread
     * evenly; a heartbeat sent more than an interval late counts as late.
     */
    private ScheduledExecutorService heartbeats(long initialMs) {
        intervalMs = initialMs;
        ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor();
        List<String> names = registered;
        long tickMs = 10;
        long[] next = {System.currentTimeMillis()};
        int[] cursor = {0};
        t.scheduleAtFixedRate(() -> {
            long now = System.currentTimeMillis();
            int size = names.size();
            if (size == 0) {
                return;
            }
            long interval = intervalMs;
            int due = (int) Math.ceil(size * (double) tickMs / interval);
            if (now - next[0] > interval) {
                heartbeatsLate.addAndGet(due);
            }
            next[0] = now;
            for (int k = 0; k < due; k++) {
                String node = names.get(cursor[0]++ % size);
beat(node);
            }
        }, 0, tickMs, TimeUnit.MILLISECONDS);
        return t;
    }

    /** One heartbeat of {@code node}, with its devices and (with {@code --report-running}) its shards as RUNNING. */
    private void beat(String node) {
        String hb = "{\"node\":\"" + node + "\",\"devices\":" + devicesCache(node) + ",\"shards\":"
                + runningReports.getOrDefault(node, "[]") + "}";
        // As the agent does: a heartbeat that met a connection the scheduler had just closed as idle is sent once more.
        http.send(http.of(node), "POST", "/v1/agents/" + node + "/heartbeat", credentials.get(node), hb)
                .exceptionallyCompose(e -> http.send(http.of(node), "POST", "/v1/agents/" + node + "/heartbeat", credentials.get(node), hb))
                .thenAccept(r -> {
                    heartbeatsAcked.incrementAndGet();
                    long asked = Documents.parseJson(r.body().getBytes()).path("heartbeatIntervalMs").asLong(0);
                    if (asked > 0) {
                        intervalMs = asked;
                    }
                }).exceptionally(http::failed);
    }

    private final Map<String, String> devicesJson = new ConcurrentHashMap<>();

    private String devicesCache(String node) {
        return devicesJson.computeIfAbsent(node, n -> {
            String chip = CHIPS[Integer.parseInt(n.substring(4)) % CHIPS.length];
            StringBuilder b = new StringBuilder("[");
            for (int d = 0; d < 8; d++) {
                b.append(d == 0 ? "" : ",").append("{\"index\":").append(d).append(",\"uuid\":\"").append(n).append('-').append(d)
                        .append("\",\"chipType\":\"").append(chip).append("\",\"rawName\":\"sim\",\"memoryGiB\":64,\"healthy\":true}");
            }
            return b.append(']').toString();
        });
    }

    /** The node's long-poll loop: every answer's shards are marked delivered. */
    private void poll(String node) {
        poll(node, -1);
    }

    private void poll(String node, long version) {
        if (!running) {
            return;
        }
        http.send(http.of(node), "GET", "/v1/agents/" + node + "/assignments?version=" + version, credentials.get(node), null).thenAccept(r -> {
            JsonNode set = Documents.parseJson(r.body().getBytes());
            long now = System.nanoTime();
            if (reportRunning) {
                StringBuilder reports = new StringBuilder("[");
                for (JsonNode a : set.get("shards")) {
                    reports.append(reports.length() > 1 ? "," : "").append("{\"jobId\":\"").append(a.get("jobId").asText())
                            .append("\",\"shard\":").append(a.get("shard").asInt()).append(",\"attempt\":")
                            .append(a.get("attempt").asInt()).append(",\"phase\":\"RUNNING\",\"pid\":")
                            .append(1000 + a.get("shard").asInt()).append(",\"step\":0}");
                }
                // Reported at the node's next regular beat. (The agent also beats 200 ms after a worker starts; through
                // the harness's shared, pooled clients such extra beats at 9,000 nodes ran it out of sockets.)
                runningReports.put(node, reports.append(']').toString());
            }
            for (JsonNode a : set.get("shards")) {
                String job = a.get("jobId").asText();
                Set<Integer> got = delivered.computeIfAbsent(job, k -> ConcurrentHashMap.newKeySet());
                got.add(a.get("shard").asInt());
                Integer want = shardsOf.get(job);
                if (want != null && got.size() >= want) {
                    doneAt.putIfAbsent(job, now);
                }
            }
            poll(node, set.get("version").asLong());
        }).exceptionally(e -> {
            http.failed(e);
            poll(node, version);
            return null;
        });
    }

    /**
     * The Slurm-peer workload: 1-8 shards x 4-8 devices, each job restricted to one chip type; as
     * fast as 32 concurrent submissions go, or at {@code rate} per second when it is positive.
     */
    private void submit(int jobs, double rate) throws InterruptedException {
        Random random = new Random(42);
        Semaphore gate = new Semaphore(32);
        long start = System.nanoTime();
        for (int i = 0; i < jobs; i++) {
            if (rate > 0) {
                long due = start + (long) (i * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait); // pacing an open-loop stream, not waiting for a condition
                }
            }
            int shards = 1 + random.nextInt(8);
            int devices = 4 + random.nextInt(5);
            String spec = "{\"name\":\"load-" + i + "\",\"command\":[\"sleep\",\"600\"],\"shards\":" + shards
                    + ",\"devicesPerShard\":" + devices + ",\"flopsPerSample\":1e12,\"memoryPerShardGiB\":1,\"globalBatch\":"
                    + (shards * 8) + ",\"chipTypes\":[\"" + CHIPS[random.nextInt(CHIPS.length)] + "\"]}";
            gate.acquire();
            long at = System.nanoTime();
            http.send(http.api(), "POST", "/v1/jobs", admin, spec).thenAccept(r -> {
                String id = Documents.parseJson(r.body().getBytes()).get("id").asText();
                shardsOf.put(id, shards);
                submitted.put(id, at);
                Set<Integer> got = delivered.get(id);
                if (got != null && got.size() >= shards) {
                    doneAt.putIfAbsent(id, System.nanoTime());
                }
            }).whenComplete((v, e) -> {
                if (e != null) {
                    http.failed(e);
                }
                gate.release();
            });
        }
        gate.acquire(32);
        gate.release(32);
    }

    private void report(int jobs, double seconds, double heartbeatsPerSec, double schedulerCpu, ScaleScheduler s) {
        List<Double> lat = new ArrayList<>();
        submitted.forEach((id, at) -> {
            Long done = doneAt.get(id);
            if (done != null) {
                lat.add((done - at) / 1e9);
            }
        });
        lat.sort(Double::compare);
        System.out.printf(Locale.ROOT, "jobs: %d submitted, %d delivered to every node in %.2f s: %.1f jobs placed/s%n",
                submitted.size(), doneAt.size(), seconds, doneAt.size() / seconds);
        System.out.printf(Locale.ROOT, "submit-to-assignment-delivered: p50 %.3f s, p95 %.3f s, p99 %.3f s%n",
                ClusterProbes.pct(lat, 0.50), ClusterProbes.pct(lat, 0.95), ClusterProbes.pct(lat, 0.99));
        System.out.printf(Locale.ROOT, "submit-to-commit in the scheduler (its queue-wait histogram, bucket bounds): p50 <= %.3f s, "
                + "p95 <= %.3f s, p99 <= %.3f s%n", s.queueWaitQuantile(0.5), s.queueWaitQuantile(0.95), s.queueWaitQuantile(0.99));
        System.out.printf(Locale.ROOT, "heartbeats: %.0f/s acknowledged during the burst, at the %d ms interval the scheduler "
                + "asked for; %d sent late by the harness; %d errors%n", heartbeatsPerSec, intervalMs, heartbeatsLate.get(),
                http.errors());
        http.printErrorKinds(5);
        System.out.printf(Locale.ROOT, "scheduler: heap used %.0f MB (max %s), RSS %.0f MB, CPU %.1f s during the burst%n",
                s.heapUsedBytes() / 1e6, s.heap(), s.rssBytes() / 1e6, schedulerCpu);
        System.out.printf(Locale.ROOT, "harness: CPU %.1f s in total%n",
                processCpu());
    }

    private static double processCpu() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof OperatingSystemMXBean sun ? sun.getProcessCpuTime() / 1e9 : -1;
    }



    private static int intArg(String[] args, String name, int dflt) {
        return Integer.parseInt(stringArg(args, name, Integer.toString(dflt)));
    }

    private static String stringArg(String[] args, String name, String dflt) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return dflt;
    }
}
