package io.tessera.scheduler.placement;

import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpec;
import io.tessera.config.JobSpecParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/** Test helper: builds snapshots and job specs tersely. */
final class Fleet {
    static final ChipCatalog CATALOG = ChipCatalog.builtIn();
    private final List<NodeView> nodes = new ArrayList<>();

    Fleet node(String name, String chip, int freeDevices) {
        Map<String, List<Integer>> free = new LinkedHashMap<>();
        free.put(chip, IntStream.range(0, freeDevices).boxed().toList());
        nodes.add(new NodeView(name, "10.0.0." + (nodes.size() + 1), Map.of(), free));
        return this;
    }

    ClusterSnapshot snapshot() {
        return new ClusterSnapshot(CATALOG, nodes);
    }

    static JobSpec job(String yaml) {
        return new JobSpecParser(CATALOG).parse(yaml.getBytes(StandardCharsets.UTF_8), "application/yaml");
    }

    static JobSpec job(int min, int max, int dps, long batch, String extra) {
        return job("name: t\ncommand: [w]\nshards: {min: " + min + ", max: " + max + "}\ndevicesPerShard: " + dps
                + "\nmodel: {parameters: 1.3B, tokensPerSample: 2048}\nglobalBatch: " + batch + "\n" + extra);
    }
}
