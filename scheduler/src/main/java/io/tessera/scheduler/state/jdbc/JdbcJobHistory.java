package io.tessera.scheduler.state.jdbc;

import io.tessera.scheduler.state.JobHistory;
import io.tessera.scheduler.state.Codec;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobTelemetry;
import io.tessera.scheduler.model.JobState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * {@link JobHistory} in the state database, table {@code tessera_job_history}: one row per finished
 * job with the columns pages filter on, and the job as JSON. PostgreSQL and H2.
 */
public final class JdbcJobHistory implements JobHistory {
    private final DataSource db;
    private final boolean postgres;

    public JdbcJobHistory(DataSource db, boolean postgres) {
        this.db = db;
        this.postgres = postgres;
        String text = postgres ? "TEXT" : "CLOB";
        for (String sql : List.of("CREATE TABLE IF NOT EXISTS tessera_job_history (id VARCHAR(64) PRIMARY KEY, "
                        + "seq BIGINT NOT NULL, owner VARCHAR(256), queue VARCHAR(64), state VARCHAR(16) NOT NULL, "
                        + "finished_at BIGINT NOT NULL, v " + text + " NOT NULL)",
                "CREATE INDEX IF NOT EXISTS tessera_job_history_seq ON tessera_job_history (seq)",
                "CREATE INDEX IF NOT EXISTS tessera_job_history_finished ON tessera_job_history (finished_at)",
                "CREATE TABLE IF NOT EXISTS tessera_job_telemetry (id VARCHAR(64) PRIMARY KEY, v " + text + " NOT NULL)")) {
            try {
                update(sql);
            } catch (IllegalStateException raced) {
                update(sql); // members starting together may race on PostgreSQL's catalog
            }
        }
    }

    @Override
    public void add(JobRecord job, long finishedAtMs) {
        String sql = postgres
                ? "INSERT INTO tessera_job_history (id, seq, owner, queue, state, finished_at, v) VALUES (?, ?, ?, ?, ?, ?, ?) "
                        + "ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v, state = EXCLUDED.state, finished_at = EXCLUDED.finished_at"
                : "MERGE INTO tessera_job_history (id, seq, owner, queue, state, finished_at, v) KEY (id) VALUES (?, ?, ?, ?, ?, ?, ?)";
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, job.id());
            ps.setLong(2, job.seq());
            ps.setString(3, job.owner());
            ps.setString(4, job.spec().queue());
            ps.setString(5, job.state().name());
            ps.setLong(6, finishedAtMs);
            ps.setString(7, Codec.encode(job));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot store job " + job.id() + " in the history: " + e.getMessage(), e);
        }
    }

    @Override
    public void addTelemetry(JobTelemetry t) {
        String sql = postgres
                ? "INSERT INTO tessera_job_telemetry (id, v) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v"
                : "MERGE INTO tessera_job_telemetry (id, v) KEY (id) VALUES (?, ?)";
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, t.jobId());
            ps.setString(2, Codec.encode(t));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot store the curve of job " + t.jobId() + " in the history: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public Optional<JobTelemetry> telemetry(String id) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT v FROM tessera_job_telemetry WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(Codec.decode(rs.getString(1), JobTelemetry.class)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the job history: " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<JobRecord> get(String id) {
        List<JobRecord> found = select("SELECT v FROM tessera_job_history WHERE id = ?", List.of(id), 1);
        return found.stream().findFirst();
    }

    @Override
    public List<JobRecord> page(Query q) {
        StringBuilder sql = new StringBuilder("SELECT v FROM tessera_job_history WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (q.owner() != null) {
            sql.append(" AND owner = ?");
            args.add(q.owner());
        }
        if (q.queue() != null) {
            sql.append(" AND queue = ?");
            args.add(q.queue());
        }
        if (q.states() != null && !q.states().isEmpty()) {
            sql.append(" AND state IN (").append(String.join(", ", q.states().stream().map(s -> "?").toList())).append(")");
            q.states().stream().map(JobState::name).forEach(args::add);
        }
        if (q.beforeSeq() != null) {
            sql.append(" AND seq < ?");
            args.add(q.beforeSeq());
        }
        sql.append(" ORDER BY seq DESC");
        return select(sql.toString(), args, q.limit());
    }

    @Override
    public int purgeFinishedBefore(long cutoffMs) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM tessera_job_history WHERE finished_at < ?");
             PreparedStatement curves = c.prepareStatement("DELETE FROM tessera_job_telemetry t WHERE NOT EXISTS "
                     + "(SELECT 1 FROM tessera_job_history h WHERE h.id = t.id)")) {
            ps.setLong(1, cutoffMs);
            int n = ps.executeUpdate();
            curves.executeUpdate();
            return n;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot purge the job history: " + e.getMessage(), e);
        }
    }

    private List<JobRecord> select(String sql, List<Object> args, int limit) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            ps.setMaxRows(limit);
            List<JobRecord> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next() && out.size() < limit) {
                    out.add(Codec.decode(rs.getString(1), JobRecord.class));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the job history: " + e.getMessage(), e);
        }
    }

    private void update(String sql) {
        try (Connection c = db.getConnection()) {
            c.createStatement().execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
