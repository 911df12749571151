package io.tessera.scheduler.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpecParser;
import io.tessera.config.QueueSpec;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The order a pass offers jobs in: weighted across queues, then priority and users within one. */
class FairShareOrderTest {
    private static final JobSpecParser PARSER = new JobSpecParser(ChipCatalog.builtIn());
    private int seq;

    private JobRecord job(String queue, String owner, int priority) {
        seq++;
        return new JobRecord(new JobRecord.Identity("job-" + seq, seq, owner, "2026-01-01T00:00:00Z"),
                PARSER.parse(("name: j\nqueue: " + queue + "\npriority: " + priority
                + "\ncommand: [w]\nshards: 1\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 8\n").getBytes(StandardCharsets.UTF_8), "application/yaml"),
                new JobRecord.Lifecycle(JobState.QUEUED, false, 1, 0, 0),
                null, List.of(), null, List.of());
    }

    private static List<String> drain(FairShareOrder order, double chargeEach) {
        List<String> out = new ArrayList<>();
        for (Optional<JobRecord> j = order.next(); j.isPresent(); j = order.next()) {
            out.add(j.get().spec().queue() + ":" + j.get().owner() + ":" + j.get().spec().priority());
            order.placed(j.get(), new QuotaCharge(chargeEach, Map.of()));
        }
        return out;
    }

    @Test
    void queuesAreInterleavedByWeight() {
        List<JobRecord> queued = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            queued.add(job("ml", "alice", 0));
            queued.add(job("batch", "bob", 0));
        }
        Map<String, QueueSpec> queues = Map.of("ml", new QueueSpec("ml", 2.0, null, null, null, null, null, null, null,
                null, null, null), "batch", QueueSpec.open("batch"));
        List<String> order = drain(new FairShareOrder(queued, queues, new QueueUsage(Map.of(), Map.of(), Map.of())), 1);
        // ties go to the first name: batch, then ml twice for each batch job
        assertThat(order.subList(0, 9)).containsExactly("batch:bob:0", "ml:alice:0", "ml:alice:0", "batch:bob:0",
                "ml:alice:0", "ml:alice:0", "batch:bob:0", "ml:alice:0", "ml:alice:0");
        assertThat(order).hasSize(12);
    }

    @Test
    void aQueueHoldingMoreWaitsForTheOtherToCatchUp() {
        List<JobRecord> queued = List.of(job("a", "u", 0), job("b", "u", 0), job("a", "u", 0));
        QueueUsage usage = new QueueUsage(Map.of("a", new QuotaCharge(10, Map.of())), Map.of(), Map.of());
        Map<String, QueueSpec> none = Map.of();
        assertThat(drain(new FairShareOrder(queued, none, usage), 4)).containsExactly("b:u:0", "a:u:0", "a:u:0");
    }

    @Test
    void withinAQueuePriorityComesFirstThenTheUserHoldingLeast() {
        List<JobRecord> queued = List.of(job("q", "alice", 0), job("q", "alice", 0), job("q", "bob", 0),
                job("q", "carol", 5));
        QueueUsage usage = new QueueUsage(Map.of(), Map.of("q", Map.of("bob", new QuotaCharge(1, Map.of()))), Map.of());
        assertThat(drain(new FairShareOrder(queued, Map.of(), usage), 3))
                .containsExactly("q:carol:5", "q:alice:0", "q:bob:0", "q:alice:0");
    }
}
