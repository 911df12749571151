package io.tessera.scheduler.health;

import com.hazelcast.core.HazelcastInstance;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this member can do its work, checked every {@code intervalMs} on its own thread: a
 * database round trip (where state is durable), this member's place in the Hazelcast cluster,
 * and no OutOfMemoryError seen. {@code /readyz} reports the last check. A member that has run out
 * of memory, or whose database has failed {@code failuresToExit} checks in a row, reports 503 on
 * {@code /healthz} too and exits (status 70), so that its supervisor restarts it; a member that
 * keeps serving with its state closed would accept work it cannot keep.
 */
public final class HealthMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);
    public static final int EXIT_STATUS = 70;
    private final Optional<? extends DataSource> db;
    private final HazelcastInstance hz;
    private final int failuresToExit;
    private final IntConsumer exit;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tessera-health");
        t.setDaemon(true);
        return t;
    });
    private volatile Map<String, String> last = Map.of("status", "starting");
    private volatile boolean fatal;
    private int dbFailures;
    private boolean tableMade;

    public HealthMonitor(Optional<? extends DataSource> db, HazelcastInstance hz, int failuresToExit, IntConsumer exit) {
        this.db = db;
        this.hz = hz;
        this.failuresToExit = failuresToExit;
        this.exit = exit;
    }

    /** Checks every {@code intervalMs}; also watches every thread for an OutOfMemoryError. */
    public HealthMonitor start(long intervalMs) {
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            if (e instanceof OutOfMemoryError) {
                outOfMemory(e);
            }
            if (previous != null) {
                previous.uncaughtException(t, e);
            }
        });
        thread.scheduleWithFixedDelay(this::checkSafely, 0, intervalMs, TimeUnit.MILLISECONDS);
        return this;
    }

    /** The last check: {@code status} ({@code ok} or {@code failing}) and one entry per part. */
    /** A member of the scheduler cluster: its id, its address, and whether it is this one. */
    public record Member(String id, String address, boolean self) {
    }

    /** The members of the scheduler cluster, oldest first (the oldest runs the scheduling loop). */
    public List<Member> members() {
        String me = hz.getCluster().getLocalMember().getUuid().toString();
        return hz.getCluster().getMembers().stream().map(m -> new Member(m.getUuid().toString(),
                m.getAddress().getHost() + ":" + m.getAddress().getPort(), m.getUuid().toString().equals(me))).toList();
    }

    public Map<String, String> readiness() {
        return last;
    }

    public boolean ready() {
        return "ok".equals(last.get("status"));
    }

    /** False once the member is beyond saving (out of memory, or its database gone); it is exiting. */
    public boolean alive() {
        return !fatal;
    }

    /** Records an OutOfMemoryError: the member reports it and exits. */
    public void outOfMemory(Throwable e) {
        fatal = true;
        last = Map.of("status", "failing", "memory", "out of memory: " + e.getMessage());
        LOG.error("out of memory; exiting so the supervisor restarts this member");
        exit.accept(EXIT_STATUS);
    }

    void checkSafely() {
        try {
            check();
        } catch (OutOfMemoryError e) {
            outOfMemory(e);
        } catch (RuntimeException e) {
            LOG.warn("health check failed: {}", e.toString());
        }
    }

    void check() {
        Map<String, String> parts = new LinkedHashMap<>();
        boolean ok = true;
        String database = database();
        if (database != null) {
            parts.put("database", database);
            ok = database.equals("ok");
            dbFailures = ok ? 0 : dbFailures + 1;
        }
        boolean member = hz.getLifecycleService().isRunning() && hz.getCluster().getMembers().contains(hz.getCluster().getLocalMember());
        parts.put("hazelcast", member ? "ok (" + hz.getCluster().getMembers().size() + " members)" : "not a running member");
        ok &= member;
        parts.put("memory", fatal ? "out of memory" : "ok");
        Map<String, String> out = new LinkedHashMap<>();
        out.put("status", ok && !fatal ? "ok" : "failing");
        out.putAll(parts);
        last = Map.copyOf(out);
        if (dbFailures >= failuresToExit && !fatal) {
            fatal = true;
            LOG.error("the database failed {} checks in a row ({}); exiting so the supervisor restarts this member",
                    dbFailures, database);
            exit.accept(EXIT_STATUS);
        }
    }

    /** {@code ok}, the failure, or null when state is not durable. */
    private String database() {
        if (db.isEmpty()) {
            return null;
        }
        try (Connection c = db.get().getConnection()) {
            if (!c.isValid(2)) {
                return "no answer within 2 s";
            }
            try (var st = c.createStatement()) {
                st.setQueryTimeout(2);
                if (!tableMade) {
                    st.execute("CREATE TABLE IF NOT EXISTS tessera_health (k INT PRIMARY KEY, at BIGINT)");
                    tableMade = true;
                }
                st.executeUpdate(st.getConnection().getMetaData().getURL().startsWith("jdbc:postgresql:")
                        ? "INSERT INTO tessera_health VALUES (1, " + System.currentTimeMillis() + ") ON CONFLICT (k) DO UPDATE SET at = EXCLUDED.at"
                        : "MERGE INTO tessera_health (k, at) KEY (k) VALUES (1, " + System.currentTimeMillis() + ")");
            }
            return "ok";
        } catch (Exception e) {
            return "failing: " + String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
