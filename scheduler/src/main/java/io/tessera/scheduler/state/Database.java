package io.tessera.scheduler.state;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tessera.config.SchedulerConfig;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The database cluster state is written through to: PostgreSQL when {@code database.url} names it,
 * otherwise an embedded H2 file under {@code dataDir} in auto-server mode (several scheduler
 * processes on one machine share it). Empty when {@code dataDir} is {@code none}.
 */
public final class Database {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Database.class);

    private Database() {
    }

    public static Optional<HikariDataSource> open(SchedulerConfig config) {
        if (!config.durable()) {
            return Optional.empty();
        }
        String url = config.database().url() != null ? config.database().url()
                : "jdbc:h2:file:" + Path.of(config.dataDir()).toAbsolutePath().resolve("tessera")
                        // WRITE_DELAY=0: a commit reaches the file before the write returns, so a SIGKILL loses nothing acknowledged.
                        + ";AUTO_SERVER=TRUE;WRITE_DELAY=0";
        if (config.database().url() == null && !config.members().isEmpty()) {
            LOG.warn("members share the embedded H2 file {}: this works on one machine only, and a leader's death "
                    + "takes 6 to 11 s to fail over while H2 reclaims the dead member's lock; use PostgreSQL "
                    + "(database.url) for a production cluster (docs/operations.md)", config.dataDir());
        }
        HikariConfig h = new HikariConfig();
        h.setJdbcUrl(url);
        h.setUsername(config.database().user() != null ? config.database().user() : url.startsWith("jdbc:h2:") ? "sa" : null);
        h.setPassword(config.database().password() != null ? config.database().password() : "");
        h.setMaximumPoolSize(config.database().poolSize());
        h.setPoolName("tessera-state");
        // Members started together race for H2's auto-server lock; the losers connect once the winner's
        // server is up. Keep trying the first connection instead of failing at once (PostgreSQL too: a
        // database restarting with the cluster).
        h.setInitializationFailTimeout(60_000);
        return Optional.of(new HikariDataSource(h));
    }

    public static boolean isPostgres(HikariDataSource db) {
        return db.getJdbcUrl().startsWith("jdbc:postgresql:");
    }
}
