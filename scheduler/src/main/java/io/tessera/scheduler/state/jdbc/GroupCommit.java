package io.tessera.scheduler.state.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Group commit for write-through: writes that arrive together, from any threads and for any
 * tables, are committed in one database transaction, and each caller returns only once a commit
 * that holds its writes is done, so write-through keeps its promise (an acknowledged write is in
 * the database) at one commit per group instead of one per key. One caller at a time leads: it
 * takes every write queued so far (its own among them), commits them in arrival order, wakes their
 * callers and steps down; a caller whose writes are still queued then leads the next group. If a
 * group fails, each of its callers' writes is retried in a transaction of its own, so one bad
 * write fails only its caller.
 */
public final class GroupCommit {
    /** One statement with its parameters. */
    public record Write(String sql, List<String> params) {
    }

    private static final class Pending {
        final List<Write> writes;
        boolean done;
        RuntimeException error;

        Pending(List<Write> writes) {
            this.writes = writes;
        }
    }

    private final DataSource db;
    private final List<Pending> queue = new ArrayList<>();
    private boolean leading;

    public GroupCommit(DataSource db) {
        this.db = db;
    }

    /** Commits {@code writes} (with whatever else is waiting); returns once they are committed. */
    public void commit(List<Write> writes) {
        Pending mine = new Pending(writes);
        List<Pending> group;
        synchronized (this) {
            queue.add(mine);
            while (leading && !mine.done) {
                waitQuietly();
            }
            if (mine.done) {
                rethrow(mine);
                return;
            }
            leading = true;
            group = new ArrayList<>(queue);
            queue.clear();
        }
        try {
            write(group);
        } finally {
            synchronized (this) {
                leading = false;
                notifyAll();
            }
        }
        rethrow(mine);
    }

    private void write(List<Pending> group) {
        try {
            transaction(group);
            group.forEach(p -> p.done = true);
        } catch (SQLException e) {
            for (Pending p : group) { // one at a time, so only the bad one fails
                try {
                    transaction(List.of(p));
                } catch (SQLException single) {
                    p.error = new IllegalStateException("cannot write state: " + single.getMessage(), single);
                }
                p.done = true;
            }
        }
    }

    private void transaction(List<Pending> group) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            Map<String, PreparedStatement> statements = new HashMap<>();
            try {
                for (Pending p : group) {
                    for (Write w : p.writes) {
                        PreparedStatement ps = statements.get(w.sql());
                        if (ps == null) {
                            ps = c.prepareStatement(w.sql());
                            statements.put(w.sql(), ps);
                        }
                        for (int i = 0; i < w.params().size(); i++) {
                            ps.setString(i + 1, w.params().get(i));
                        }
                        ps.executeUpdate();
                    }
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                for (PreparedStatement ps : statements.values()) {
                    ps.close();
                }
                c.setAutoCommit(true);
            }
        }
    }

    private static void rethrow(Pending p) {
        if (p.error != null) {
            throw p.error;
        }
    }

    private void waitQuietly() {
        try {
            wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a state write", e);
        }
    }
}
