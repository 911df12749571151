package io.tessera.bench;

import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpec;
import io.tessera.config.JobSpecParser;
import io.tessera.scheduler.placement.ClusterSnapshot;
import io.tessera.scheduler.placement.NodeView;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

/** Seeded benchmark fleets and jobs. */
final class Fleets {
    static final ChipCatalog CATALOG = ChipCatalog.builtIn();
    static final List<String> CHIPS = List.of("ascend-910b", "ascend-910b3", "ascend-910c", "nvidia-h20",
            "nvidia-h100", "nvidia-a100", "acme-tpx1");

    private Fleets() {
    }

    /**
     * {@code nodes} nodes of 8 devices, chip types dealt round-robin over the 7 types, in 10 zones.
     * With {@code busy} above 0, that fraction of devices is taken the way gang jobs take them:
     * most busy nodes wholly, some half (seeded).
     */
    static ClusterSnapshot fleet(int nodes, double busy, long seed) {
        Random random = new Random(seed);
        List<NodeView> views = new ArrayList<>(nodes);
        for (int i = 0; i < nodes; i++) {
            double u = random.nextDouble();
            int free = busy <= 0 ? 8 : u < busy - 0.04 ? 0 : u < busy + 0.04 ? 4 : 8;
            List<Integer> devices = IntStream.range(8 - free, 8).boxed().toList();
            views.add(new NodeView(String.format("node-%05d", i), "10.0." + (i / 250) + "." + (i % 250),
                    Map.of("zone", "z" + (i % 10)), Map.of(CHIPS.get(i % CHIPS.size()), devices)));
        }
        return new ClusterSnapshot(CATALOG, views);
    }

    static JobSpec job(String shards, String extra) {
        String yaml = "name: bench\ncommand: [train]\nshards: " + shards + "\ndevicesPerShard: 8\n"
                + "model: {parameters: 7B, tokensPerSample: 4096}\nglobalBatch: 65536\nprecisions: [fp8, bf16]\n" + extra;
        return new JobSpecParser(CATALOG).parse(yaml.getBytes(StandardCharsets.UTF_8), "application/yaml");
    }
}
