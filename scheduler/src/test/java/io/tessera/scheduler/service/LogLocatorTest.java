package io.tessera.scheduler.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.scheduler.model.EventType;
import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpecParser;
import io.tessera.config.wire.LogEndpoint;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.NodeState;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LogLocatorTest {
    private static final LogEndpoint A = new LogEndpoint("http://10.0.0.1:4000", "tsl_a");
    private static final LogEndpoint B = new LogEndpoint("http://10.0.0.2:4000", "tsl_b");

    private static JobRecord job() {
        return new JobRecord(new JobRecord.Identity("job-x", 1, "alice", "t"),
                new JobSpecParser(ChipCatalog.builtIn()).parse(("name: x\ncommand: [w]\nshards: 2\n"
                + "flopsPerSample: 1\nmemoryPerShardGiB: 1\nglobalBatch: 2\n").getBytes(StandardCharsets.UTF_8), "application/yaml"),
                new JobRecord.Lifecycle(JobState.RUNNING, false, 2, 1, 0),
                null, List.of(
                new JobEvent("t1", EventType.PLACED, "p", 1, List.of("n1", "n2")),
                new JobEvent("t2", EventType.SHARD_FAILED, "f"),
                new JobEvent("t3", EventType.PLACED, "p", 2, List.of("n2", "n1"))), null, List.of());
    }

    private static Optional<NodeRecord> node(String name) {
        return Optional.of(new NodeRecord(name, "10.0.0.1", Map.of(), List.of(), name.equals("n3") ? NodeState.LOST
                : NodeState.READY, "t", 0, false, 0, name.equals("n2") ? B : A));
    }

    @Test
    void eachAttemptIsReadWhereItRan() {
        var latest = (LogLocator.Found) LogLocator.locate(job(), 0, null, LogLocatorTest::node);
        assertThat(latest.node()).isEqualTo("n2");
        assertThat(latest.attempt()).isEqualTo(2);
        assertThat(latest.path()).isEqualTo("/logs/job-x/0/2");
        assertThat(latest.endpoint()).isEqualTo(B);
        var first = (LogLocator.Found) LogLocator.locate(job(), 0, 1, LogLocatorTest::node);
        assertThat(first.node()).isEqualTo("n1");
        assertThat(first.path()).isEqualTo("/logs/job-x/0/1");
    }

    @Test
    void aShardReplacedAtTheSameAttemptIsReadOnItsNewNode() {
        JobRecord job = job().withEvent(new JobEvent("t4", EventType.SHARDS_REPLACED, "r", 2, List.of("n2", "n4")));
        // Regression: only PLACED events were read, so a replaced shard's log was looked for on its lost node.
        var replaced = (LogLocator.Found) LogLocator.locate(job, 1, 2, LogLocatorTest::node);
        assertThat(replaced.node()).isEqualTo("n4");
        assertThat(replaced.path()).isEqualTo("/logs/job-x/1/2");
        assertThat(((LogLocator.Found) LogLocator.locate(job, 0, null, LogLocatorTest::node)).node()).isEqualTo("n2");
        assertThat(((LogLocator.Found) LogLocator.locate(job, 1, 1, LogLocatorTest::node)).node()).isEqualTo("n2");
    }

    @Test
    void missingAndUnreachableLogsSayWhy() {
        assertThat(LogLocator.locate(job(), 0, 7, LogLocatorTest::node)).isInstanceOf(LogLocator.Missing.class);
        assertThat(LogLocator.locate(job(), 5, null, LogLocatorTest::node)).as("regression: it said 'not been placed'")
                .isInstanceOfSatisfying(LogLocator.Missing.class, m -> assertThat(m.reason()).contains("has no shard 5")
                        .contains("its shards are 0-"));
        assertThat(LogLocator.locate(job(), 0, null, n -> Optional.empty())).isInstanceOfSatisfying(
                LogLocator.Unreachable.class, u -> assertThat(u.reason()).contains("no longer registered"));
        assertThat(LogLocator.locate(job(), 0, null, n -> node("n3"))).isInstanceOfSatisfying(
                LogLocator.Unreachable.class, u -> assertThat(u.reason()).contains("LOST"));
    }
}
