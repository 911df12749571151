package io.tessera.scheduler.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.config.ValidationException;
import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;

/** What {@code GET /v1/audit}'s parameters may be; a bad one is a 400 naming it. */
class AuditQueryTest {
    private static MultiMap params(String name, String value) {
        return MultiMap.caseInsensitiveMultiMap().add(name, value);
    }

    @Test
    void aLimitPastTheIntRangeIsRefusedNotWrappedAround() {
        // Regression: the limit was narrowed to an int before the range check, so 2^32 + 1 read as 1.
        assertThatThrownBy(() -> AuditRoutes.query(params("limit", "4294967297")))
                .isInstanceOf(ValidationException.class).hasMessageContaining("limit");
        assertThatThrownBy(() -> AuditRoutes.query(params("limit", "0"))).hasMessageContaining("limit");
        assertThat(AuditRoutes.query(params("limit", "1000")).limit()).isEqualTo(1000);
        assertThat(AuditRoutes.query(MultiMap.caseInsensitiveMultiMap()).limit()).isEqualTo(100);
    }

    @Test
    void timesAreInstantsOrEpochMillis() {
        assertThat(AuditRoutes.query(params("since", "2026-12-07T10:00:00Z")).sinceMs()).isEqualTo(1796637600000L);
        assertThat(AuditRoutes.query(params("until", "1000")).untilMs()).isEqualTo(1000L);
        assertThatThrownBy(() -> AuditRoutes.query(params("since", "99999999999999999999"))).hasMessageContaining("since");
    }
}
