package io.tessera.scheduler.e2e;

import java.util.Locale;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real member, four real agents and the example worker: a 3-shard gang that does not fit gets a
 * reservation at the predicted end of the job it waits for ({@code estimatedStartAt}); a job with
 * no step count is held back from the reserved node, a short job with a step count backfills onto
 * it and finishes, and the gang starts when the job it waited for ends, delayed by none of them.
 */
class ReservationEndToEndTest {
    @TempDir
    Path dir;

    private static String job(String name, int priority, int shards, long steps, String extra) {
        return "name: " + name + "\npriority: " + priority + "\n" + TestCluster.workerCommand()
                + "args: [--steps, '" + steps + "', --checkpoint-every, '100000', --time-scale, '0.02']\n"
                + "shards: " + shards + "\ndevicesPerShard: 4\nmodel: {parameters: 1.3B, tokensPerSample: 2048}\n"
                + "globalBatch: 64\n" + extra;
    }

    private static String state(TestCluster c, String id) {
        return c.job(id).path("state").asText();
    }

    private static Instant eventAt(JsonNode job, String type) {
        for (JsonNode e : job.path("events")) {
            if (e.path("type").asText().equals(type)) {
                return Instant.parse(e.path("at").asText());
            }
        }
        return null;
    }

    @Test
    void aWideGangStartsAtItsReservationWhileAShortJobBackfillsAroundIt() {
        try (TestCluster c = TestCluster.start(dir)) {
            for (int i = 1; i <= 4; i++) {
                c.agent("gpu-" + i, "nvidia-h20", 4);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> c.nodes().size() == 4);
            String soon = c.submit(job("soon", 0, 2, 150, ""));
            String longer = c.submit(job("longer", 0, 1, 100_000, ""));
            await().atMost(Duration.ofSeconds(60)).until(() -> c.job(soon).path("shards").path(0).path("step").asInt() > 0
                    && c.job(longer).path("shards").path(0).path("step").asInt() > 0);

            String wide = c.submit(job("wide", 0, 3, 5, "")); // equal priority: reserved, not preempting
            await().atMost(Duration.ofSeconds(20)).until(() -> c.job(wide).hasNonNull("estimatedStartAt"));
            Instant firstEstimate = Instant.parse(c.job(wide).path("estimatedStartAt").asText());
            assertThat(c.job(wide).path("waitingReason").asText()).contains("reserved").contains(soon);

            String unknown = c.submit(job("unknown", 0, 1, 5, ""));
            String shortOne = c.submit(job("short", 0, 1, 3, "scheduling: {steps: 3}\n"));
            await().atMost(Duration.ofSeconds(60)).until(() -> state(c, shortOne).equals("SUCCEEDED"));
            assertThat(state(c, unknown)).as("no step count: it may not take the reserved node").isEqualTo("QUEUED");
            // the pass after the short job's devices came back says why it still waits (read too early, the
            // reason was still the one from while every device was busy)
            await().atMost(Duration.ofSeconds(10)).until(() -> c.job(unknown).path("waitingReason").asText()
                    .contains("behind the reservation of " + wide));
            assertThat(state(c, unknown)).isEqualTo("QUEUED");

            await().atMost(Duration.ofSeconds(120)).until(() -> !state(c, wide).equals("QUEUED"));
            Instant soonEnded = eventAt(c.job(soon), "SUCCEEDED");
            Instant wideStarted = eventAt(c.job(wide), "PLACED");
            assertThat(soonEnded).isNotNull();
            assertThat(wideStarted).as("placed within a few passes of the end it waited for")
                    .isBefore(soonEnded.plusSeconds(5));
            double late = Duration.between(firstEstimate, wideStarted).toMillis() / 1000.0;
            System.out.printf(Locale.ROOT, "reservation end to end: placed %.2f s after its first estimate%n", late);
            assertThat(late).as("the backfills did not delay it past its first estimate (real workers: seconds of start-up"
                    + " and exit overhead that no prediction holds)").isLessThan(5.0);
            await().atMost(Duration.ofSeconds(60)).until(() -> state(c, wide).equals("SUCCEEDED"));
            c.send("DELETE", "/v1/jobs/" + longer, null, null);
            await().atMost(Duration.ofSeconds(60)).until(() -> state(c, unknown).equals("SUCCEEDED"));
        }
    }

    /**
     * Regression: only each queue's head got an estimated start, so a job second in its queue showed
     * none, though it fits beside the head's reservation once the running job, whose end is known, ends.
     */
    @Test
    void aJobBehindItsQueuesReservedHeadGetsAnEstimatedStartToo() {
        try (TestCluster c = TestCluster.start(dir)) {
            c.agent("gpu-1", "nvidia-h20", 4);
            c.agent("gpu-2", "nvidia-h20", 4);
            await().atMost(Duration.ofSeconds(20)).until(() -> c.nodes().size() == 2);
            String running = c.submit(job("running", 0, 2, 400, ""));
            await().atMost(Duration.ofSeconds(60)).until(() -> c.job(running).path("shards").path(0).path("step").asInt() > 0);
            String head = c.submit(job("head", 0, 1, 5, ""));
            String second = c.submit(job("second", 0, 1, 5, ""));
            await().atMost(Duration.ofSeconds(20)).until(() -> c.job(head).hasNonNull("estimatedStartAt")
                    && c.job(second).hasNonNull("estimatedStartAt"));
            assertThat(c.job(head).path("waitKind").asText()).isEqualTo("RESERVED");
            assertThat(c.job(second).path("waitKind").asText()).as("an estimate reserves nothing").isNotEqualTo("RESERVED");
            Instant headStart = Instant.parse(c.job(head).path("estimatedStartAt").asText());
            Instant secondStart = Instant.parse(c.job(second).path("estimatedStartAt").asText());
            assertThat(Duration.between(headStart, secondStart).abs()).as("both start when the running job ends")
                    .isLessThan(Duration.ofSeconds(2));
        }
    }
}
