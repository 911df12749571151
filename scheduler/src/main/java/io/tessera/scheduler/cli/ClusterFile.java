package io.tessera.scheduler.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.ChipCatalog;
import io.tessera.config.Documents;
import io.tessera.config.FieldReader;
import io.tessera.config.NetworkConfig;
import io.tessera.scheduler.placement.ClusterSnapshot;
import io.tessera.scheduler.placement.NodeView;
import io.tessera.scheduler.placement.PlacementPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * A what-if cluster for {@code tessera plan} (format in docs/planning.md): nodes or groups of
 * identical nodes, each with a chip type, device count and free count, plus optional network
 * bandwidths and vendor-policy defaults. Every error is reported with its field path.
 */
final class ClusterFile {
    private static final Set<String> TOP = Set.of("nodes", "network", "defaults");
    private static final Set<String> NODE = Set.of("name", "namePrefix", "count", "chipType", "devices", "free",
            "labels");

    record Loaded(ClusterSnapshot snapshot, PlacementPolicy policy) {
    }

    private ClusterFile() {
    }

    static Loaded load(Path file, ChipCatalog catalog) {
        JsonNode doc = Documents.readFile(file);
        FieldReader r = new FieldReader();
        r.rejectUnknown(doc, "", TOP);
        List<NodeView> nodes = new ArrayList<>();
        r.list(doc, "", "nodes", true, 100_000, (n, at) -> {
            nodes.addAll(group(r, n, at, catalog));
            return null;
        });
        NetworkConfig network = r.object(doc, "", "network", false).map(n -> new NetworkConfig(
                r.number(n, "network", "interNodeGBsPerDevice", false, 0.001, 1e6).orElse(null),
                r.number(n, "network", "crossVendorGBsPerDevice", false, 0.001, 1e6).orElse(null)))
                .orElse(NetworkConfig.DEFAULT);
        double cap = r.object(doc, "", "defaults", false)
                .flatMap(n -> r.number(n, "defaults", "maxVendorShare", false, 0.01, 1)).orElse(1.0);
        int minVendors = r.object(doc, "", "defaults", false)
                .flatMap(n -> r.integer(n, "defaults", "minVendors", false, 1, 16)).orElse(1L).intValue();
        r.throwIfInvalid();
        PlacementPolicy policy = new PlacementPolicy(cap, minVendors, PlacementPolicy.DEFAULT.memoryHeadroom(), network,
                PlacementPolicy.DEFAULT.throughput());
        return new Loaded(new ClusterSnapshot(catalog, nodes), policy);
    }

    private static List<NodeView> group(FieldReader r, JsonNode n, String at, ChipCatalog catalog) {
        if (!n.isObject()) {
            r.error(at, "must be a mapping");
            return List.of();
        }
        r.rejectUnknown(n, at, NODE);
        String chip = r.parsed(n.get("chipType"), at + ".chipType", id -> catalog.byId(id).map(c -> c.id()),
                "unknown chip type");
        int devices = r.integer(n, at, "devices", true, 1, 1024).orElse(0L).intValue();
        int free = r.integer(n, at, "free", false, 0, 1024).orElse((long) devices).intValue();
        if (free > devices) {
            r.error(at + ".free", "cannot exceed devices (" + devices + ")");
        }
        int count = r.integer(n, at, "count", false, 1, 100_000).orElse(1L).intValue();
        String name = r.string(n, at, "name", false, 128).orElse(null);
        String prefix = r.string(n, at, "namePrefix", false, 120).orElse(null);
        if ((name == null) == (prefix == null)) {
            r.error(at, "give either name (one node) or namePrefix with count (a group)");
        }
        Map<String, String> labels = r.stringMap(n, at, "labels", 64, 256).orElse(Map.of());
        if (chip == null || devices == 0 || (name == null && prefix == null)) {
            return List.of();
        }
        List<Integer> freeDevices = IntStream.range(0, free).boxed().toList();
        List<NodeView> out = new ArrayList<>();
        for (int i = 0; i < (name != null ? 1 : count); i++) {
            String nodeName = name != null ? name : prefix + i;
            out.add(new NodeView(nodeName, nodeName, labels, Map.of(chip, freeDevices)));
        }
        return out;
    }
}
