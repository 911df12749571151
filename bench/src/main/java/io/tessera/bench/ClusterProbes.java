package io.tessera.bench;

import java.time.Duration;
import java.time.Instant;
import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.Documents;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** What the load harness asks the loaded cluster after the jobs: dry-run latency, and PLACED to RUNNING from job events. */
final class ClusterProbes {
    private final HarnessHttp http;
    private final String admin;

    ClusterProbes(HarnessHttp http, String admin) {
        this.http = http;
        this.admin = admin;
    }

    /**
     * PLACED to RUNNING for the jobs {@code ids}, from each job's own PLACED and RUNNING events
     * (both stamped by the scheduler), once their nodes have had a heartbeat interval and a half.
     */
    void placedToRunning(List<String> ids, long intervalMs) throws Exception {
        Thread.sleep(intervalMs * 3 / 2); // one and a half heartbeat intervals for the last reports to land (not a condition)
        List<Double> seconds = new ArrayList<>();
        int notRunning = 0;
        for (String id : ids) {
            JsonNode job = Documents.parseJson(http.send(http.api(), "GET", "/v1/jobs/" + id, admin, null).get(60, TimeUnit.SECONDS)
                    .body().getBytes());
            Instant placed = null;
            Instant run = null;
            for (JsonNode e : job.path("events")) {
                if (e.path("type").asText().equals("PLACED") && placed == null) {
                    placed = Instant.parse(e.path("at").asText());
                } else if (e.path("type").asText().equals("RUNNING") && run == null) {
                    run = Instant.parse(e.path("at").asText());
                }
            }
            if (placed != null && run != null) {
                seconds.add(Duration.between(placed, run).toMillis() / 1000.0);
            } else {
                notRunning++;
            }
        }
        seconds.sort(Double::compare);
        System.out.printf(Locale.ROOT, "PLACED to RUNNING (%d jobs, from their events): p50 %.2f s, p95 %.2f s, max %.2f s; "
                        + "heartbeat interval %d ms; %d not RUNNING%n", seconds.size(), pct(seconds, 0.5), pct(seconds, 0.95),
                seconds.isEmpty() ? Double.NaN : seconds.get(seconds.size() - 1), intervalMs, notRunning);
    }

    /** Times {@code n} dry runs of a typical job on the loaded cluster, one after another. */
    void dryRuns(int n) throws Exception {
        List<Double> ms = new ArrayList<>();
        String spec = "{\"name\":\"probe\",\"command\":[\"w\"],\"shards\":4,\"devicesPerShard\":8,\"flopsPerSample\":1e12,"
                + "\"memoryPerShardGiB\":1,\"globalBatch\":32,\"chipTypes\":[\"nvidia-h20\"]}";
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            http.send(http.api(), "POST", "/v1/plan", admin, spec).get(60, TimeUnit.SECONDS);
            ms.add((System.nanoTime() - t) / 1e6);
        }
        ms.sort(Double::compare);
        System.out.printf(Locale.ROOT, "POST /v1/plan (4 x 8 devices, loaded cluster): median %.1f ms, p95 %.1f ms over %d%n",
                pct(ms, 0.5), pct(ms, 0.95), n);
    }

    /** The {@code q} quantile of ascending {@code sorted}, or NaN when empty. */
    static double pct(List<Double> sorted, double q) {
        return sorted.isEmpty() ? Double.NaN : sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(q * sorted.size())));
    }
}
