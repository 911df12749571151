package io.tessera.scheduler.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The fleet's use per vendor over time, for the console's fleet page and {@code GET
 * /v1/fleet/usage}: a bounded, downsampled series kept by the scheduler, so the page shows the
 * past and not only what it saw while open. Pure and immutable.
 *
 * <p>The leader samples it once every {@link #FIRST_SPACING_MS}. Points are at least
 * {@code spacingMs} apart (a sample sooner replaces the last point). When the series holds
 * {@link #MAX_POINTS}, every two neighbours merge (the later one stays) and the spacing doubles:
 * the first 8 hours are kept a minute apart, a week about half an hour apart, a year about a day
 * and a half apart.
 *
 * @param spacingMs the least time between two points now
 * @param points    oldest first
 */
public record FleetUsage(long spacingMs, List<Point> points) {
    /** The most points kept. */
    public static final int MAX_POINTS = 480;
    /** The spacing a series starts with, and how often the leader samples. */
    public static final long FIRST_SPACING_MS = 60_000;

    public FleetUsage {
        points = List.copyOf(points);
    }

    /** A series with no points yet. */
    public static FleetUsage empty() {
        return new FleetUsage(FIRST_SPACING_MS, List.of());
    }

    /**
     * How one vendor's devices stood at a moment.
     *
     * @param allocated devices held by a job's shard
     * @param healthy   devices neither reported unhealthy nor on a lost node (a drained node's count)
     */
    public record Use(int allocated, int healthy) {
        /** Allocated devices as a percentage of the healthy ones (0 when none is healthy). */
        public double percent() {
            return healthy == 0 ? 0 : 100.0 * allocated / healthy;
        }
    }

    /**
     * The fleet at one moment.
     *
     * @param atMs     when the leader sampled it
     * @param byVendor each vendor present, by name
     */
    public record Point(long atMs, Map<String, Use> byVendor) {
        public Point {
            byVendor = Map.copyOf(new TreeMap<>(byVendor));
        }
    }

    /** The latest point, if any. */
    public Optional<Point> last() {
        return points.isEmpty() ? Optional.empty() : Optional.of(points.get(points.size() - 1));
    }

    /**
     * This series with {@code p}: it replaces the last point while that is less than
     * {@code spacingMs} after the point before it, else it is appended; a full series is halved first.
     */
    public FleetUsage with(Point p) {
        List<Point> out = new ArrayList<>(points);
        int n = out.size();
        if (n >= 2 && p.atMs() - out.get(n - 2).atMs() < spacingMs) {
            out.set(n - 1, p); // the last point is live until it is spacingMs past the one before it
            return new FleetUsage(spacingMs, out);
        }
        long spacing = spacingMs;
        if (out.size() >= MAX_POINTS) {
            out = Downsample.halve(out);
            spacing *= 2;
        }
        out.add(p);
        return new FleetUsage(spacing, out);
    }
}
