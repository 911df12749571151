package io.tessera.scheduler.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.Documents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The shipped Grafana dashboard, read for tests. */
final class Dashboard {
    static final Path FILE = Path.of("../config/grafana/dashboards/tessera-fleet.json");

    /** One query of one panel. */
    record Query(String panel, String expr) {
    }

    private Dashboard() {
    }

    static JsonNode json() throws Exception {
        return Documents.parseJson(Files.readAllBytes(FILE));
    }

    static List<Query> queries() throws Exception {
        List<Query> out = new ArrayList<>();
        for (JsonNode p : json().get("panels")) {
            for (JsonNode t : p.path("targets")) {
                out.add(new Query(p.get("title").asText(), t.get("expr").asText()));
            }
        }
        return out;
    }
}
