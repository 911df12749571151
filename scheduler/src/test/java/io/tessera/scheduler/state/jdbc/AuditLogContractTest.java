package io.tessera.scheduler.state.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tessera.scheduler.e2e.PostgresServer;
import io.tessera.scheduler.model.AuditRecord;
import io.tessera.scheduler.state.AuditLog;
import io.tessera.scheduler.state.memory.InMemoryAuditLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One contract for every {@link AuditLog} adapter: memory, H2 and a real PostgreSQL. */
class AuditLogContractTest {
    @TempDir
    Path dir;

    private static AuditLog.Query all(int limit) {
        return new AuditLog.Query(null, null, null, null, null, null, null, limit);
    }

    private static AuditRecord rec(long at, String actor, String action, String target, int status) {
        return new AuditRecord(0, at, actor, "user", action, target, status, AuditRecord.outcomeOf(status), "10.0.0.1",
                status >= 400 ? "Forbidden: no" : "");
    }

    static void contract(AuditLog log) {
        log.append(List.of(rec(1_000, "alice", "job.submit", "j1", 201), rec(2_000, "bob", "job_submit", "j2", 201)));
        log.append(List.of(rec(3_000, "alice", "job.cancel", "j1", 200), rec(4_000, "alice", "node.drain", "n1", 403)));
        log.append(List.of());
        List<AuditRecord> page = log.page(all(10));
        assertThat(page).extracting(AuditRecord::action).containsExactly("node.drain", "job.cancel", "job_submit", "job.submit");
        assertThat(page.get(0).id()).isGreaterThan(page.get(1).id());
        assertThat(page.get(3)).isEqualTo(rec(1_000, "alice", "job.submit", "j1", 201).withId(page.get(3).id()));
        assertThat(log.page(new AuditLog.Query("alice", "job.", null, null, null, null, null, 10)))
                .as("a family: '.' is not a wildcard").extracting(AuditRecord::target).containsExactly("j1", "j1");
        assertThat(log.page(new AuditLog.Query(null, "job.submit", null, null, null, null, null, 10))).hasSize(1);
        assertThat(log.page(new AuditLog.Query(null, null, "n1", "forbidden", 4_000L, 4_001L, null, 10))).hasSize(1);
        List<AuditRecord> first = log.page(all(2));
        List<AuditRecord> rest = log.page(new AuditLog.Query(null, null, null, null, null, null, first.get(1).id(), 10));
        List<AuditRecord> both = new ArrayList<>(first);
        both.addAll(rest);
        assertThat(both).isEqualTo(page);
        assertThat(log.purgeBefore(2_500)).isEqualTo(2);
        assertThat(log.page(all(10))).extracting(AuditRecord::atMs).containsExactly(4_000L, 3_000L);
    }

    private static HikariDataSource pool(String url, String user, String password) {
        HikariConfig h = new HikariConfig();
        h.setJdbcUrl(url);
        h.setUsername(user);
        h.setPassword(password);
        h.setMaximumPoolSize(2);
        return new HikariDataSource(h);
    }

    @Test
    void inMemory() {
        contract(new InMemoryAuditLog(100));
    }

    @Test
    void h2() {
        try (HikariDataSource db = pool("jdbc:h2:file:" + dir.resolve("audit"), "sa", "")) {
            contract(new JdbcAuditLog(db));
            new JdbcAuditLog(db); // a second member starting on the same database
        }
    }

    @Test
    void postgres() throws Exception {
        try (PostgresServer pg = PostgresServer.start(); HikariDataSource db = pool(pg.url(), PostgresServer.USER,
                PostgresServer.PASSWORD)) {
            contract(new JdbcAuditLog(db));
        }
    }
}
