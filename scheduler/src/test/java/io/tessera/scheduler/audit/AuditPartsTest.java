package io.tessera.scheduler.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.AuditConfig;
import io.tessera.config.Documents;
import io.tessera.scheduler.model.AuditRecord;
import io.tessera.scheduler.state.AuditLog;
import io.tessera.scheduler.state.memory.InMemoryAuditLog;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The audit trail's parts: which calls it names, how it samples refusals, how it stores and purges. */
class AuditPartsTest {
    private static AuditRecord at(long ms, String from, String action) {
        return new AuditRecord(0, ms, "-", "-", action, "", 401, "unauthenticated", from, "");
    }

    @Test
    void everyStateChangingOperationOfTheContractHasANamedAction() throws Exception {
        JsonNode doc;
        try (InputStream in = getClass().getResourceAsStream("/openapi.yaml")) {
            doc = Documents.parseYaml(in.readAllBytes());
        }
        List<String> unnamed = new ArrayList<>();
        List<String> named = new ArrayList<>();
        doc.get("paths").fields().forEachRemaining(p -> p.getValue().fieldNames().forEachRemaining(m -> {
            String method = m.toUpperCase(Locale.ROOT);
            if (!List.of("POST", "PUT", "DELETE", "PATCH").contains(method)) {
                return;
            }
            String path = p.getKey().replaceAll("\\{[^}]+}", "x1");
            AuditActions.of(method, path).ifPresentOrElse(a -> (a.name().startsWith("http.") ? unnamed : named)
                    .add(method + " " + p.getKey() + " -> " + a.name()), () -> named.add(method + " " + p.getKey() + " exempt"));
        }));
        assertThat(unnamed).isEmpty();
        assertThat(named).hasSizeGreaterThanOrEqualTo(17);
        assertThat(AuditActions.of("POST", "/v1/agents/n1/heartbeat")).as("heartbeats are exempt").isEmpty();
        assertThat(AuditActions.of("GET", "/v1/jobs")).isEmpty();
        assertThat(AuditActions.of("POST", "/v1/jobs/j-1/resubmit").orElseThrow())
                .isEqualTo(new AuditActions.Action("job.resubmit", "j-1"));
        assertThat(AuditActions.of("POST", "/v1/new-thing").orElseThrow().name()).as("unlisted, still recorded")
                .isEqualTo("http.POST");
    }

    @Test
    void refusalsAreSampledPerAddressAndMinuteAndTheRestCounted() {
        DeniedSampler s = new DeniedSampler(3, 100);
        List<Boolean> recorded = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            recorded.add(s.refused("10.0.0.1", 1_000 + i).record());
        }
        assertThat(recorded).containsExactly(true, true, true, false, false);
        assertThat(s.refused("10.0.0.2", 1_010).record()).as("another address has its own share").isTrue();
        assertThat(s.finished(30_000)).as("the minute is not over").isEmpty();
        DeniedSampler.Decision next = s.refused("10.0.0.1", 61_500);
        assertThat(next.record()).isTrue();
        assertThat(next.previous()).isEqualTo(new DeniedSampler.Suppressed("10.0.0.1", 2, 1_000));
        for (int i = 0; i < 4; i++) {
            s.refused("10.0.0.1", 62_000);
        }
        assertThat(s.finished(130_000)).containsExactly(new DeniedSampler.Suppressed("10.0.0.1", 2, 61_500));
        assertThat(s.finished(200_000)).as("handed back once").isEmpty();
    }

    @Test
    void forgottenAddressesHandBackTheirCounts() {
        DeniedSampler s = new DeniedSampler(1, 2);
        s.refused("a", 0);
        s.refused("a", 1);
        s.refused("b", 2);
        s.refused("c", 3);
        assertThat(s.finished(4)).containsExactly(new DeniedSampler.Suppressed("a", 1, 0));
    }

    @Test
    void theTrailStoresInOrderPurgesPastTheRetentionAndSummarisesSuppressedRefusals() throws Exception {
        InMemoryAuditLog log = new InMemoryAuditLog(1000);
        Instant now = Instant.parse("2026-12-07T12:00:00Z");
        log.append(List.of(at(now.minus(Duration.ofDays(40)).toEpochMilli(), "old", "job.submit")));
        try (AuditTrail trail = new AuditTrail(log, new AuditConfig(30, 2), Clock.fixed(now, ZoneOffset.UTC))) {
            for (int i = 0; i < 5; i++) {
                trail.refused(at(now.toEpochMilli(), "10.1.1.1", "auth.denied"));
            }
            trail.record(at(now.toEpochMilli(), "10.1.1.2", "job.cancel"));
            trail.refused(at(now.plusSeconds(61).toEpochMilli(), "10.1.1.1", "auth.denied"));
            List<AuditRecord> page = trail.page(new AuditLog.Query(null, null, null, null, null, null, null, 100));
            assertThat(page).extracting(AuditRecord::action).containsExactly("auth.denied", "auth.denied.suppressed",
                    "job.cancel", "auth.denied", "auth.denied");
            assertThat(page.get(1).detail()).startsWith("3 more refused call(s)");
            assertThat(page).extracting(AuditRecord::from).doesNotContain("old");
            assertThat(page.get(0).id()).isGreaterThan(page.get(1).id());
        }
    }

    @Test
    void aStoreThatIsDownIsRetriedAndNothingQueuedIsLost() throws Exception {
        InMemoryAuditLog memory = new InMemoryAuditLog(1000);
        AtomicInteger failures = new AtomicInteger(2);
        AuditLog flaky = new AuditLog() {
            @Override
            public void append(List<AuditRecord> records) {
                if (failures.getAndDecrement() > 0) {
                    throw new IllegalStateException("database down");
                }
                memory.append(records);
            }

            @Override
            public List<AuditRecord> page(Query q) {
                return memory.page(q);
            }

            @Override
            public int purgeBefore(long cutoffMs) {
                return 0;
            }
        };
        try (AuditTrail trail = new AuditTrail(flaky, AuditConfig.DEFAULT, Clock.systemUTC())) {
            for (int i = 0; i < 10; i++) {
                trail.record(at(i, "10.0.0.9", "job.submit"));
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> trail.pending() == 0);
            assertThat(memory.page(new AuditLog.Query(null, null, null, null, null, null, null, 100))).hasSize(10);
            assertThat(trail.dropped()).isZero();
        }
    }

    @Test
    void recordsCannotCarryControlCharactersIntoTheLog() {
        AuditRecord r = new AuditRecord(0, 0, "eve\nFAKE LINE", "user", "job.submit", "x\u0000y", 201, "ok", "1.2.3.4", "");
        assertThat(r.actor()).isEqualTo("eve?FAKE LINE");
        assertThat(r.target()).isEqualTo("x?y");
    }
}
