package io.tessera.scheduler.sim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.config.Documents;
import io.tessera.config.ValidationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Microsoft's Philly trace ({@code timestamp,duration,num_gpus,gpu_time,cluster}) as workload job
 * entries: sorted by submission time, then filtered, sampled and scaled. Pure for a seed.
 *
 * @param file          the CSV
 * @param timeScale     multiplies the gaps between arrivals (0.01 compresses them 100-fold)
 * @param durationScale multiplies run times
 * @param sample        keep each job with this probability
 * @param skip          drop this many jobs first (after filtering and sampling)
 * @param limit         keep at most this many
 * @param maxGpus       drop jobs that asked for more GPUs
 * @param maxDurationSec cut run times to this, as a cluster's run-time limit would
 * @param cluster       keep only this virtual cluster, if set
 * @param table         when given, each job gets a class drawn uniformly from it, on its GPU count as shards
 *                      if the table knows the class at that size, else on one
 */
public record PhillyTrace(Path file, double timeScale, double durationScale, double sample, int skip, int limit,
                          int maxGpus, double maxDurationSec, String cluster, ThroughputTable table) {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private record Row(long at, double duration, int gpus, String cluster) {
    }

    public List<ObjectNode> entries(List<GavelGenerator.Tenant> tenants, long seed) {
        Random rnd = new Random(seed);
        List<Row> rows = read();
        rows.sort(Comparator.comparingLong(Row::at));
        List<ObjectNode> out = new ArrayList<>();
        long first = Long.MIN_VALUE;
        int seen = 0;
        for (Row row : rows) {
            if (row.gpus() > maxGpus || row.duration() <= 0 || (cluster != null && !cluster.equals(row.cluster()))
                    || rnd.nextDouble() >= sample || seen++ < skip) {
                continue;
            }
            if (out.size() >= limit) {
                break;
            }
            first = first == Long.MIN_VALUE ? row.at() : first;
            ObjectNode e = Documents.json().createObjectNode();
            e.put("at", (row.at() - first) * timeScale);
            e.put("durationSec", Math.min(maxDurationSec, Math.max(1, row.duration() * durationScale)));
            e.put("shards", row.gpus());
            if (table != null) {
                String cls = table.classes().get(rnd.nextInt(table.classes().size()));
                e.put("class", cls);
                e.put("shards", table.hasScale(cls, row.gpus()) ? row.gpus() : 1);
            }
            if (!tenants.isEmpty()) {
                GavelGenerator.Tenant t = tenants.get(out.size() % tenants.size());
                e.put("queue", t.queue());
                e.put("user", t.user());
            }
            out.add(e);
        }
        if (out.isEmpty()) {
            throw new ValidationException("philly", "the trace " + file + " has no job left after filtering and "
                    + "sampling (sample " + sample + ", skip " + skip + ", limit " + limit + ", maxGpus " + maxGpus + ")");
        }
        return out;
    }

    private List<Row> read() {
        List<Row> rows = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the trace " + file + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith("timestamp")) {
                continue;
            }
            String[] c = line.split(",");
            try {
                rows.add(new Row(LocalDateTime.parse(c[0], TIME).toEpochSecond(ZoneOffset.UTC),
                        Double.parseDouble(c[1]), Integer.parseInt(c[2]), c.length > 4 ? c[4] : null));
            } catch (RuntimeException e) {
                throw new ValidationException("philly.file", file + " line " + (i + 1)
                        + ": expected timestamp,duration,num_gpus,gpu_time,cluster, got '" + line + "'");
            }
        }
        return rows;
    }
}
