package io.tessera.config.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.Documents;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A shard report groups its training progress in Java and stays one flat object on the wire, as
 * agents and stored reports of earlier versions have it; named metrics are a new optional field.
 */
class ShardReportWireTest {
    private static ShardReport sample() {
        return new ShardReport("job-1", 1, 2, ShardPhase.RUNNING, null, 42L, null, null,
                new ShardReport.Progress(120L, 500L, 37.5, 100L, 1, Map.of("loss", 2.25, "lr", 3e-4)));
    }

    @Test
    void itIsOneFlatObjectOnTheWireAndReadsBackEqual() throws Exception {
        String text = Documents.json().writeValueAsString(sample());
        JsonNode json = Documents.json().readTree(text);
        List<String> names = new ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactlyInAnyOrder("jobId", "shard", "attempt", "phase", "pid", "step", "totalSteps",
                "samplesPerSec", "checkpointStep", "split", "metrics");
        assertThat(json.get("metrics").get("loss").asDouble()).isEqualTo(2.25);
        assertThat(Documents.json().readValue(text, ShardReport.class)).isEqualTo(sample());
    }

    @Test
    void aReportOfAnEarlierAgentWithoutMetricsStillReads() throws Exception {
        ShardReport r = Documents.json().readValue("{\"jobId\":\"j\",\"shard\":0,\"attempt\":1,\"phase\":\"EXITED\","
                + "\"exitCode\":0,\"step\":9,\"totalSteps\":9,\"samplesPerSec\":3.5}", ShardReport.class);
        assertThat(r.step()).isEqualTo(9L);
        assertThat(r.samplesPerSec()).isEqualTo(3.5);
        assertThat(r.metrics()).isEmpty();
        assertThat(Documents.json().writeValueAsString(new ShardReport("j", 0, 1, ShardPhase.STARTING, null, null, (Long) null,
                null, null, null, null))).doesNotContain("metrics").doesNotContain("step");
    }
}
