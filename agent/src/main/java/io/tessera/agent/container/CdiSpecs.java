package io.tessera.agent.container;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.Documents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the Container Device Interface specs of a node ({@code /etc/cdi}, {@code /var/run/cdi};
 * Nvidia's container toolkit writes one) into fully qualified device names such as
 * {@code nvidia.com/gpu=0}. A spec that cannot be read is skipped with a warning. Pure but for
 * reading the files.
 */
public final class CdiSpecs {
    private static final Logger LOG = LoggerFactory.getLogger(CdiSpecs.class);
    /** Where CDI specs live, in the order the CDI spec names them. */
    public static final List<Path> DIRS = List.of(Path.of("/etc/cdi"), Path.of("/var/run/cdi"));

    private CdiSpecs() {
    }

    /** Every device name the specs in {@code dirs} declare, sorted. */
    public static List<String> devices(List<Path> dirs) {
        TreeSet<String> out = new TreeSet<>();
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(CdiSpecs::isSpec).sorted().toList()) {
                    out.addAll(read(f));
                }
            } catch (IOException e) {
                LOG.warn("cannot list CDI specs in {}: {}", dir, e.getMessage());
            }
        }
        return new ArrayList<>(out);
    }

    private static boolean isSpec(Path f) {
        String n = f.getFileName().toString();
        return n.endsWith(".json") || n.endsWith(".yaml") || n.endsWith(".yml");
    }

    /** The device names one spec declares: {@code kind=name} for each of its devices. */
    static List<String> read(Path f) {
        try {
            JsonNode spec = Documents.parse(Files.readAllBytes(f), f.toString().endsWith(".json") ? "application/json"
                    : "application/yaml");
            String kind = spec.path("kind").asText("");
            if (!kind.matches("[A-Za-z0-9.-]+/[A-Za-z0-9._-]+")) {
                LOG.warn("CDI spec {} has no valid kind; skipped", f);
                return List.of();
            }
            List<String> out = new ArrayList<>();
            spec.path("devices").forEach(d -> {
                String name = d.path("name").asText("");
                if (name.matches("[A-Za-z0-9][A-Za-z0-9_.:-]*")) {
                    out.add(kind + "=" + name);
                }
            });
            return out;
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot read CDI spec {}: {}", f, e.getMessage());
            return List.of();
        }
    }
}
