package io.tessera.scheduler.state.jdbc;

import java.util.Locale;
import com.hazelcast.map.MapStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Writes one Hazelcast map through to one table {@code (k, v)} of JSON strings, and loads it back
 * when a cluster starts. Write-through: a map write returns only after the row is stored, so a
 * job that was answered 201 is in the database. Writes go through a {@link GroupCommit} shared by
 * all tables, so concurrent writes (the keys of one plan commit land on several partition
 * threads at once) share one database commit. Works with PostgreSQL and H2.
 */
public final class JdbcMapStore implements MapStore<String, String> {
    private final DataSource db;
    private final String table;
    private final boolean postgres;
    private final GroupCommit commits;
    private final String upsert;
    private final String delete;

    public JdbcMapStore(DataSource db, String table, boolean postgres) {
        this(db, table, postgres, new GroupCommit(db));
    }

    public JdbcMapStore(DataSource db, String table, boolean postgres, GroupCommit commits) {
        this.db = db;
        this.table = table;
        this.postgres = postgres;
        this.commits = commits;
        this.upsert = postgres ? "INSERT INTO " + table + " (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v"
                : "MERGE INTO " + table + " (k, v) KEY (k) VALUES (?, ?)";
        this.delete = "DELETE FROM " + table + " WHERE k = ?";
        createTable();
    }

    /**
     * Creates the table unless it exists. Members starting together may race; PostgreSQL can then
     * fail one {@code CREATE TABLE IF NOT EXISTS} on its catalog's unique index, so a failure is
     * retried, and the second attempt finds the table. On H2 values are kept in the row
     * ({@code CHARACTER VARYING}) rather than as CLOBs, whose separate LOB storage costs more per
     * write; a table made by an older version is converted once.
     */
    private void createTable() {
        String type = postgres ? "TEXT" : H2_TEXT;
        String sql = "CREATE TABLE IF NOT EXISTS " + table + " (k VARCHAR(512) PRIMARY KEY, v " + type + " NOT NULL)";
        try {
            run(sql);
        } catch (IllegalStateException raced) {
            run(sql);
        }
        if (!postgres && isClob()) {
            run("ALTER TABLE " + table + " ALTER COLUMN v SET DATA TYPE " + H2_TEXT);
        }
    }

    private static final String H2_TEXT = "CHARACTER VARYING(1000000000)";

    private boolean isClob() {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT DATA_TYPE FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = ? AND COLUMN_NAME = 'V'")) {
            ps.setString(1, table.toUpperCase(Locale.ROOT));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getString(1).contains("LARGE OBJECT");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot inspect table " + table + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void store(String key, String value) {
        storeAll(Map.of(key, value));
    }

    @Override
    public void storeAll(Map<String, String> entries) {
        List<GroupCommit.Write> writes = new ArrayList<>();
        entries.forEach((k, v) -> writes.add(new GroupCommit.Write(upsert, List.of(k, v))));
        commits.commit(writes);
    }

    @Override
    public void delete(String key) {
        deleteAll(List.of(key));
    }

    @Override
    public void deleteAll(Collection<String> keys) {
        List<GroupCommit.Write> writes = new ArrayList<>();
        keys.forEach(k -> writes.add(new GroupCommit.Write(delete, List.of(k))));
        commits.commit(writes);
    }

    /**
     * Always absent, without reading the table. The maps are loaded whole when the cluster starts
     * (eager {@link #loadAllKeys} and {@link #loadAll}) and every write goes through to the table,
     * so a key the map lacks is not in the table either. Hazelcast calls this on every miss (a
     * node without assignments, on each of its long-polls and heartbeats): a database read per
     * miss cost more than everything else on those paths.
     */
    @Override
    public String load(String key) {
        return null;
    }

    @Override
    public Map<String, String> loadAll(Collection<String> keys) {
        Map<String, String> out = new HashMap<>();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT v FROM " + table + " WHERE k = ?")) {
            for (String k : keys) {
                ps.setString(1, k);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        out.put(k, rs.getString(1));
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read " + table + ": " + e.getMessage(), e);
        }
        return out;
    }

    @Override
    public Iterable<String> loadAllKeys() {
        List<String> keys = new ArrayList<>();
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT k FROM " + table)) {
            while (rs.next()) {
                keys.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot list " + table + ": " + e.getMessage(), e);
        }
        return keys;
    }

    private void run(String sql) {
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot prepare table " + table + ": " + e.getMessage(), e);
        }
    }
}
