package io.tessera.scheduler.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.Documents;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The one line on a job's progress: its bar, rates, latest metrics, and a truthful ETA. */
class ProgressLineTest {
    private static final long NOW = Instant.parse("2026-12-07T10:00:00Z").toEpochMilli();

    private static JsonNode job(String state, String training) throws Exception {
        return Documents.json().readTree("{\"state\":\"" + state + "\",\"attempt\":1,\"placement\":{\"predictedSamplesPerSec\":190},"
                + "\"spec\":{\"globalBatch\":512},\"shards\":[{\"step\":10,\"totalSteps\":50,\"measuredSamplesPerSec\":195}]"
                + (training == null ? "" : ",\"training\":" + training) + "}");
    }

    /** Regression: the demo's ETA was 10x off, counted from samples/s its worker reports in chip time. */
    @Test
    void theEtaIsThePaceTheCurveMeasuredOnTheClock() throws Exception {
        String line = ProgressLine.of(job("RUNNING", "{\"metrics\":{\"loss\":2.3456,\"lr\":0.0003,\"epoch\":1,\"val_loss\":2.5},"
                + "\"stepsPerSec\":4,\"estimatedEndAt\":\"2026-12-07T10:00:10Z\"}"), NOW);
        assertThat(line).contains("10/50 steps").contains("ETA 0:00:10").contains("loss=2.346").contains("val_loss=2.500")
                .contains("epoch=1.000").doesNotContain("lr=");
        assertThat(ProgressLine.of(job("RUNNING", null), NOW)).as("before the curve has a pace: the rate")
                .contains("ETA 0:01:46");
    }

    /** Regression: finished jobs still printed an ETA. */
    @Test
    void aFinishedJobHasNoEta() throws Exception {
        for (String state : new String[] {"SUCCEEDED", "FAILED", "CANCELLED", "QUEUED"}) {
            assertThat(ProgressLine.of(job(state, "{\"estimatedEndAt\":\"2026-12-07T10:00:10Z\"}"), NOW)).doesNotContain("ETA");
        }
    }
}
