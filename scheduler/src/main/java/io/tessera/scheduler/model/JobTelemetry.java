package io.tessera.scheduler.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.placement.ShardPlan;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A job's training curve: a bounded, downsampled time series of what its shards reported, for
 * the API, the CLI and the web page. Pure and immutable.
 *
 * <p>Points are at least {@code spacingMs} apart (a report sooner replaces the last point). When
 * the series holds {@link #MAX_POINTS}, every two neighbours merge (the later one stays) and the
 * spacing doubles, so a run of any length stays covered from start to end in at most that many
 * points: a week-long run at 5 s spacing keeps a point every ~45 minutes.
 *
 * @param jobId     the job
 * @param spacingMs the least time between two points now
 * @param points    oldest first
 */
public record JobTelemetry(String jobId, long spacingMs, List<Point> points) {
    /** The most points kept. */
    public static final int MAX_POINTS = 256;
    /** The spacing a series starts with. */
    public static final long FIRST_SPACING_MS = 5_000;

    public JobTelemetry {
        points = List.copyOf(points);
    }

    /** A series with no points yet. */
    public static JobTelemetry empty(String jobId) {
        return new JobTelemetry(jobId, FIRST_SPACING_MS, List.of());
    }

    /**
     * One moment of a job.
     *
     * @param atMs                   when the scheduler heard it
     * @param attempt                the attempt running
     * @param step                   the step of the slowest shard that reports one (null: none does)
     * @param samplesPerSecByVendor  the shards' measured samples/s, summed per vendor (only shards that measure)
     * @param predictedSamplesPerSec what the scheduler predicted for the attempt's plan then
     * @param metrics                the named metrics of the lowest-ranked shard that reports any (rank 0's, usually)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Point(long atMs, int attempt, Long step, Map<String, Double> samplesPerSecByVendor,
                        Double predictedSamplesPerSec, Map<String, Double> metrics) {
        public Point {
            samplesPerSecByVendor = Map.copyOf(samplesPerSecByVendor);
            metrics = Map.copyOf(metrics);
        }

        /** The measured samples/s of the whole job (null when no shard measured). */
        public Double samplesPerSec() {
            return samplesPerSecByVendor.isEmpty() ? null
                    : samplesPerSecByVendor.values().stream().mapToDouble(Double::doubleValue).sum();
        }

        /**
         * The point the current attempt's {@code reports} make at {@code atMs}, with each shard's
         * vendor from {@code plan}; empty when no shard says anything about its training.
         */
        public static Optional<Point> of(long atMs, int attempt, Collection<ShardReport> reports, List<ShardPlan> plan,
                                         Double predicted) {
            Long step = null;
            Map<String, Double> byVendor = new TreeMap<>();
            Map<String, Double> metrics = Map.of();
            int metricsShard = Integer.MAX_VALUE;
            for (ShardReport r : reports) {
                if (r.attempt() != attempt || r.shard() >= plan.size()) {
                    continue;
                }
                if (r.step() != null) {
                    step = step == null ? r.step() : Math.min(step, r.step());
                }
                if (r.samplesPerSec() != null) {
                    byVendor.merge(plan.get(r.shard()).vendor(), r.samplesPerSec(), Double::sum);
                }
                if (!r.metrics().isEmpty() && r.shard() < metricsShard) {
                    metrics = r.metrics();
                    metricsShard = r.shard();
                }
            }
            return step == null && byVendor.isEmpty() && metrics.isEmpty() ? Optional.empty()
                    : Optional.of(new Point(atMs, attempt, step, byVendor, predicted, metrics));
        }
    }

    /** How many of the latest points {@link #stepsPerSec} looks at. */
    static final int RATE_POINTS = 12;

    /**
     * Steps per second of wall-clock time in {@code attempt}, from its latest points that name a
     * step (at least two, a second apart): what an ETA should count on, whatever the worker
     * believes its own throughput is. Empty when it cannot tell.
     */
    public Optional<Double> stepsPerSec(int attempt) {
        List<Point> mine = points.stream().filter(p -> p.attempt() == attempt && p.step() != null).toList();
        if (mine.size() < 2) {
            return Optional.empty();
        }
        Point first = mine.get(Math.max(0, mine.size() - RATE_POINTS));
        Point last = mine.get(mine.size() - 1);
        long ms = last.atMs() - first.atMs();
        long steps = last.step() - first.step();
        return ms < 1000 || steps <= 0 ? Optional.empty() : Optional.of(steps * 1000.0 / ms);
    }

    /** When {@code attempt} should reach step {@code total} at its measured pace; empty when it cannot tell. */
    public Optional<Long> estimatedEndMs(int attempt, long total) {
        Optional<Double> rate = stepsPerSec(attempt);
        Optional<Point> last = last().filter(p -> p.attempt() == attempt && p.step() != null);
        if (rate.isEmpty() || last.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(last.get().atMs() + (long) Math.ceil(Math.max(0, total - last.get().step()) * 1000 / rate.get()));
    }

    /** The latest point, if any. */
    public Optional<Point> last() {
        return points.isEmpty() ? Optional.empty() : Optional.of(points.get(points.size() - 1));
    }

    /**
     * This series with {@code p}: it replaces the last point while that is less than
     * {@code spacingMs} after the point before it (within one attempt), else it is appended; a full
     * series is halved first.
     */
    public JobTelemetry with(Point p) {
        List<Point> out = new ArrayList<>(points);
        int n = out.size();
        // The last point is live: it follows the reports until it is spacingMs past the one before it.
        if (n >= 2 && out.get(n - 1).attempt() == p.attempt() && out.get(n - 2).attempt() == p.attempt()
                && p.atMs() - out.get(n - 2).atMs() < spacingMs) {
            out.set(n - 1, p);
            return new JobTelemetry(jobId, spacingMs, out);
        }
        long spacing = spacingMs;
        if (out.size() >= MAX_POINTS) {
            out = Downsample.halve(out);
            spacing *= 2;
        }
        out.add(p);
        return new JobTelemetry(jobId, spacing, out);
    }
}
