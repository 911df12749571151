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
    private Database() {
    }

    public static Optional<HikariDataSource> open(SchedulerConfig config) {
        if (!config.durable()) {
            return Optional.empty();
        }
        String url = config.database().url() != null ? config.database().url()
                : "jdbc:h2:file:" + Path.of(config.dataDir()).toAbsolutePath().resolve("tessera") + ";AUTO_SERVER=TRUE";
        HikariConfig h = new HikariConfig();
        h.setJdbcUrl(url);
        h.setUsername(config.database().user() != null ? config.database().user() : url.startsWith("jdbc:h2:") ? "sa" : null);
        h.setPassword(config.database().password() != null ? config.database().password() : "");
        h.setMaximumPoolSize(config.database().poolSize());
        h.setPoolName("tessera-state");
        return Optional.of(new HikariDataSource(h));
    }

    public static boolean isPostgres(HikariDataSource db) {
        return db.getJdbcUrl().startsWith("jdbc:postgresql:");
    }
}
