package io.tessera.scheduler.api;

import io.tessera.scheduler.model.FleetUsage;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The fleet's use per vendor over time as {@code GET /v1/fleet/usage} returns it: points oldest
 * first (times as ISO-8601), each vendor's allocated and healthy devices and the percentage in use,
 * and the spacing the series is kept at now.
 */
record FleetUsageView(long spacingMs, List<Point> points) {
    /** One vendor at one moment. */
    record Use(int allocated, int healthy, double percent) {
    }

    /** The fleet at one moment. */
    record Point(String at, Map<String, Use> vendors) {
    }

    static FleetUsageView of(FleetUsage u) {
        return new FleetUsageView(u.spacingMs(), u.points().stream().map(FleetUsageView::point).toList());
    }

    private static Point point(FleetUsage.Point p) {
        Map<String, Use> vendors = new TreeMap<>();
        p.byVendor().forEach((v, use) -> vendors.put(v, new Use(use.allocated(), use.healthy(),
                Math.round(use.percent() * 10) / 10.0)));
        return new Point(Instant.ofEpochMilli(p.atMs()).toString(), vendors);
    }
}
