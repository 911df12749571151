package io.tessera.scheduler.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.Documents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The dashboard is valid Grafana 10+ JSON: panels, a datasource variable, unique ids, and every query on it. */
class DashboardSchemaTest {
    @Test
    void dashboardIsWellFormed() throws Exception {
        JsonNode d = Dashboard.json();
        assertThat(d.get("schemaVersion").asInt()).as("Grafana 10+ schema").isGreaterThanOrEqualTo(36);
        assertThat(d.get("uid").asText()).isNotBlank();
        assertThat(d.get("panels")).isNotEmpty();
        JsonNode vars = d.path("templating").path("list");
        assertThat(vars).anySatisfy(v -> {
            assertThat(v.get("type").asText()).isEqualTo("datasource");
            assertThat(v.get("query").asText()).isEqualTo("prometheus");
            assertThat(v.get("name").asText()).isEqualTo("datasource");
        });
        Set<Integer> ids = new HashSet<>();
        for (JsonNode p : d.get("panels")) {
            assertThat(ids.add(p.get("id").asInt())).as("unique panel id %s", p.get("id")).isTrue();
            assertThat(p.get("gridPos").get("w").asInt()).isBetween(1, 24);
            if (!p.get("type").asText().equals("row")) {
                assertThat(p.get("datasource").get("uid").asText()).as(p.get("title").asText()).isEqualTo("${datasource}");
                assertThat(p.get("targets")).as(p.get("title").asText()).isNotEmpty()
                        .allSatisfy(t -> assertThat(t.get("expr").asText()).isNotBlank());
            }
        }
    }

    @Test
    void provisioningAndScrapeConfigsArePresentAndParse() throws Exception {
        for (String f : new String[] {"../config/grafana/provisioning/datasources/tessera.yaml",
                "../config/grafana/provisioning/dashboards/tessera.yaml", "../config/prometheus/prometheus.yml"}) {
            JsonNode doc = Documents.parseYaml(Files.readAllBytes(Path.of(f)));
            assertThat(doc.isObject()).as(f).isTrue();
        }
        assertThat(Documents.parseYaml(Files.readAllBytes(Path.of("../config/prometheus/prometheus.yml")))
                .get("scrape_configs").findValuesAsText("job_name")).contains("tessera-scheduler", "tessera-agent");
    }
}
