package io.tessera.scheduler.api;

import java.util.Comparator;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.tessera.config.ChipCatalog;
import io.tessera.config.ChipType;
import io.tessera.config.Precision;
import io.tessera.config.wire.AssignmentSet;
import io.tessera.scheduler.model.NodeRecord;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import io.tessera.scheduler.model.DeviceState;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code GET /v1/fleet}: the fleet by vendor and chip type, counted as {@link NodeApiView} counts
 * each device (free, allocated, unhealthy: a LOST node's devices are unhealthy), with the free
 * devices' dense BF16 peak from the catalog. Pure.
 */
public record FleetView(List<Chip> chips, Chip total) {

    /** One chip type, or the whole fleet ({@code vendor} "total", no chip type). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Chip(String vendor, String chipType, int nodes, int devices, int free, int allocated, int unhealthy,
                       double freeBf16Tflops) {
    }

    public static FleetView of(Collection<NodeRecord> nodes, Map<String, AssignmentSet> sets, ChipCatalog catalog) {
        Map<String, int[]> counts = new TreeMap<>(); // chip -> nodes, devices, free, allocated, unhealthy
        Map<String, Set<String>> nodesOf = new TreeMap<>();
        for (NodeRecord n : nodes) {
            NodeApiView v = NodeApiView.of(n, sets.get(n.name()), 0);
            for (NodeApiView.DeviceView d : v.devices()) {
                int[] c = counts.computeIfAbsent(d.hardware().chipType(), k -> new int[5]);
                c[1]++;
                c[2 + DeviceState.valueOf(d.state().toUpperCase(Locale.ROOT)).ordinal()]++; // free, allocated, unhealthy
                nodesOf.computeIfAbsent(d.hardware().chipType(), k -> new HashSet<>()).add(n.name());
            }
        }
        List<Chip> chips = counts.entrySet().stream().map(e -> {
            int[] c = e.getValue();
            var type = catalog.byId(e.getKey());
            double tflops = type.map(t -> t.deviceTflops(Precision.BF16)).orElse(0.0) * c[2];
            return new Chip(type.map(ChipType::vendor).orElse("unknown"), e.getKey(), nodesOf.get(e.getKey()).size(),
                    c[1], c[2], c[3], c[4], tflops);
        }).sorted(Comparator.comparing(Chip::vendor).thenComparing(Chip::chipType)).toList();
        Chip total = new Chip("total", null, nodes.size(), chips.stream().mapToInt(Chip::devices).sum(),
                chips.stream().mapToInt(Chip::free).sum(), chips.stream().mapToInt(Chip::allocated).sum(),
                chips.stream().mapToInt(Chip::unhealthy).sum(), chips.stream().mapToDouble(Chip::freeBf16Tflops).sum());
        return new FleetView(chips, total);
    }
}
