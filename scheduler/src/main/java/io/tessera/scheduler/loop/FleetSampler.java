package io.tessera.scheduler.loop;

import io.tessera.config.ChipCatalog;
import io.tessera.config.ChipType;
import io.tessera.config.wire.AssignmentSet;
import io.tessera.config.wire.DeviceReport;
import io.tessera.scheduler.model.DeviceState;
import io.tessera.scheduler.model.FleetUsage;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.state.Change;
import io.tessera.scheduler.state.ClusterView;
import io.tessera.scheduler.state.SnapshotBuilder;
import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A leader loop stage that samples the fleet's use per vendor into the kept series
 * ({@link FleetUsage}), through the loop's fenced commit, so the console's fleet page shows the
 * past whichever member serves it: every {@link FleetUsage#FIRST_SPACING_MS}, and within
 * {@link #CHANGE_MS} of a change (the series keeps such a sample as its live last point). Devices
 * are counted as every reader counts them ({@link DeviceState}).
 */
public final class FleetSampler {
    /** How often the fleet is looked at for a change in use. */
    static final long CHANGE_MS = 5_000;
    private final ClusterView view;
    private final Clock clock;
    private final CycleMemory memory;

    public FleetSampler(ClusterView view, Clock clock, CycleMemory memory) {
        this.view = view;
        this.clock = clock;
        this.memory = memory;
    }

    /**
     * The sample due now, if one is: the first pass of a term samples at once; then a sample is due
     * when the use changed or a minute has passed since the last one written.
     */
    public StageDecision sample() {
        return sample(CycleState.of(view));
    }

    /** {@link #sample()} of the fleet in {@code s}. */
    public StageDecision sample(CycleState s) {
        long now = clock.millis();
        if (!memory.due("fleet-sample", now, CHANGE_MS)) {
            return StageDecision.NONE;
        }
        FleetUsage.Point p = point(now, s.nodes(), s.assignmentSets(), s.catalog());
        FleetUsage.Point last = memory.fleetSample;
        if (last != null && last.byVendor().equals(p.byVendor()) && now - last.atMs() < FleetUsage.FIRST_SPACING_MS) {
            return StageDecision.NONE;
        }
        return StageDecision.of(List.of(new Change.FleetSample(p)), outcomes -> {
            if (StageDecision.committed(outcomes) == 1) {
                memory.fleetSample = p;
            }
        });
    }

    /** Each vendor's allocated and healthy devices on {@code nodes} at {@code atMs}. Pure. */
    static FleetUsage.Point point(long atMs, Collection<NodeRecord> nodes, Map<String, AssignmentSet> sets,
                                  ChipCatalog catalog) {
        Map<String, int[]> byVendor = new HashMap<>();
        for (NodeRecord node : nodes) {
            Set<Integer> used = SnapshotBuilder.usedDevices(sets.get(node.name()));
            for (DeviceReport d : node.devices()) {
                int[] counts = byVendor.computeIfAbsent(vendor(catalog, d.chipType()), k -> new int[2]);
                DeviceState state = DeviceState.of(node, d, used.contains(d.index()));
                counts[0] += state == DeviceState.ALLOCATED ? 1 : 0;
                counts[1] += state == DeviceState.UNHEALTHY ? 0 : 1;
            }
        }
        Map<String, FleetUsage.Use> out = new HashMap<>();
        byVendor.forEach((v, c) -> out.put(v, new FleetUsage.Use(c[0], c[1])));
        return new FleetUsage.Point(atMs, out);
    }

    private static String vendor(ChipCatalog catalog, String chipType) {
        return catalog.byId(chipType).map(ChipType::vendor).orElse("unknown");
    }
}
