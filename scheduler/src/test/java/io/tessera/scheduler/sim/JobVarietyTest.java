package io.tessera.scheduler.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.Documents;
import io.tessera.config.FieldReader;
import io.tessera.config.ValidationError;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A workload's {@code vary:} draws: only for fields an entry does not set, the same for a seed, errors named. */
class JobVarietyTest {
    private static JsonNode yaml(String text) {
        return Documents.parseYaml(text.getBytes(StandardCharsets.UTF_8));
    }

    private static List<JsonNode> entries(int n, String each) {
        List<JsonNode> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(yaml(each));
        }
        return out;
    }

    @Test
    void everyEntryWithoutTheFieldDrawsOneOfTheValuesAndTheSameSeedDrawsTheSame() {
        FieldReader r = new FieldReader();
        JobVariety v = JobVariety.parse(r, yaml("{priority: [0, 5, 10], checkpointEverySec: [600, 3600]}"));
        List<JsonNode> a = entries(200, "{at: 1}");
        List<JsonNode> b = entries(200, "{at: 1}");
        v.apply(a, 42);
        v.apply(b, 42);
        assertThat(r.errors()).isEmpty();
        assertThat(a).isEqualTo(b);
        assertThat(a).extracting(e -> e.get("priority").asInt()).containsOnly(0, 5, 10).contains(0, 5, 10);
        assertThat(a).extracting(e -> e.get("checkpointEverySec").asInt()).containsOnly(600, 3600);
        List<JsonNode> other = entries(200, "{at: 1}");
        v.apply(other, 43);
        assertThat(other).as("another seed, other draws").isNotEqualTo(a);
    }

    @Test
    void anEntryThatSetsTheFieldKeepsIt() {
        List<JsonNode> e = entries(5, "{at: 1, priority: 7}");
        JobVariety.parse(new FieldReader(), yaml("{priority: [0]}")).apply(e, 1);
        assertThat(e).extracting(x -> x.get("priority").asInt()).containsOnly(7);
    }

    @Test
    void anUnknownFieldOrAnEmptyListIsNamed() {
        FieldReader r = new FieldReader();
        JobVariety.parse(r, yaml("{color: [red], priority: []}"));
        assertThat(r.errors()).extracting(ValidationError::field).contains("vary.priority")
                .anyMatch(f -> f.contains("color"));
    }
}
