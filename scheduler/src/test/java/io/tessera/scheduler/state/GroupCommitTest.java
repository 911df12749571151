package io.tessera.scheduler.state;

import io.tessera.scheduler.state.jdbc.GroupCommit;
import io.tessera.scheduler.state.jdbc.JdbcMapStore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Write-through with group commit, on a real embedded H2 file: every write that returned is in
 * the database (read back through a second connection), concurrent writers to several tables all
 * land, and a write that the database refuses fails only its own caller.
 */
class GroupCommitTest {
    @TempDir
    Path dir;
    private HikariDataSource db;

    @BeforeEach
    void open() {
        HikariConfig h = new HikariConfig();
        h.setJdbcUrl("jdbc:h2:file:" + dir.resolve("t") + ";WRITE_DELAY=0");
        h.setUsername("sa");
        h.setPassword("");
        h.setMaximumPoolSize(4);
        db = new HikariDataSource(h);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void concurrentWritersToSeveralTablesAllLandBeforeTheyReturn() throws Exception {
        GroupCommit commits = new GroupCommit(db);
        JdbcMapStore jobs = new JdbcMapStore(db, "t_jobs", false, commits);
        JdbcMapStore sets = new JdbcMapStore(db, "t_sets", false, commits);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < 200; i++) {
                    (i % 2 == 0 ? jobs : sets).store("k" + thread + "-" + i, "v" + i);
                    assertThat(read(i % 2 == 0 ? "t_jobs" : "t_sets", "k" + thread + "-" + i)).isEqualTo("v" + i);
                }
                jobs.delete("k" + thread + "-0");
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(count("t_jobs")).isEqualTo(8 * 100 - 8);
        assertThat(count("t_sets")).isEqualTo(8 * 100);
        assertThat(jobs.loadAll(List.of("k3-2", "k3-0"))).containsExactly(Map.entry("k3-2", "v2"));
    }

    @Test
    void aRefusedWriteFailsOnlyItsCaller() throws Exception {
        GroupCommit commits = new GroupCommit(db);
        JdbcMapStore good = new JdbcMapStore(db, "t_good", false, commits);
        JdbcMapStore bad = new JdbcMapStore(db, "t_bad", false, commits);
        try (Connection c = db.getConnection()) {
            c.createStatement().execute("ALTER TABLE t_bad ADD CONSTRAINT short_v CHECK (LENGTH(v) < 5)");
        }
        good.storeAll(Map.of("a", "1", "b", "2"));
        assertThatThrownBy(() -> bad.store("x", "far too long")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot write state");
        good.store("c", "3");
        assertThat(count("t_good")).isEqualTo(3);
        assertThat(count("t_bad")).isZero();
    }

    @Test
    void aTableOfAnOlderVersionWithClobValuesIsConvertedKeepingItsRows() throws Exception {
        try (Connection c = db.getConnection()) {
            c.createStatement().execute("CREATE TABLE t_old (k VARCHAR(512) PRIMARY KEY, v CLOB NOT NULL)");
            c.createStatement().execute("INSERT INTO t_old VALUES ('a', '" + "x".repeat(5000) + "')");
        }
        JdbcMapStore store = new JdbcMapStore(db, "t_old", false);
        assertThat(store.loadAll(List.of("a")).get("a")).hasSize(5000);
        assertThat(store.load("a")).as("a map miss never reads the table: the maps are loaded whole at start").isNull();
        try (Connection c = db.getConnection(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT DATA_TYPE FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = 'T_OLD' AND COLUMN_NAME = 'V'")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("CHARACTER VARYING");
        }
        store.store("b", "y");
        assertThat(new JdbcMapStore(db, "t_old", false).loadAllKeys()).containsExactlyInAnyOrder("a", "b");
    }

    private String read(String table, String key) throws SQLException {
        try (Connection c = db.getConnection(); var ps = c.prepareStatement("SELECT v FROM " + table + " WHERE k = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private int count(String table) throws SQLException {
        try (Connection c = db.getConnection(); ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
