package io.tessera.scheduler.state.jdbc;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tessera.config.DatabaseConfig;
import io.tessera.config.SchedulerConfig;
import io.tessera.scheduler.security.Tokens;
import io.tessera.scheduler.security.SecretFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The database cluster state is written through to: PostgreSQL when {@code database.url} names it,
 * otherwise an embedded H2 file under {@code dataDir}, opened in-process only. The embedded
 * database has no TCP server (no AUTO_SERVER), a random password kept in {@code dataDir/db.secret}
 * (0600), and its directory is 0700 with every file in it 0600, so no local user can open it.
 * For the same reason several members cannot share it: a cluster of several members needs
 * PostgreSQL, and is refused at start otherwise. Empty when {@code dataDir} is {@code none}.
 */
public final class Database {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    private Database() {
    }

    /**
     * The database password: inline, else from {@code passwordFile} (a 0600 file), else from
     * {@code TESSERA_DATABASE_PASSWORD}; empty when none is given.
     */
    static String password(DatabaseConfig db) {
        if (db.password() != null) {
            return db.password();
        }
        return SecretFiles.read(db.passwordFile(), "TESSERA_DATABASE_PASSWORD").orElse("");
    }

    public static Optional<HikariDataSource> open(SchedulerConfig config) {
        if (!config.durable()) {
            return Optional.empty();
        }
        HikariConfig h = new HikariConfig();
        if (config.database().url() != null) {
            h.setJdbcUrl(config.database().url());
            h.setUsername(config.database().user());
            h.setPassword(password(config.database()));
        } else {
            if (config.members().size() > 1) {
                throw new IllegalStateException("members lists " + config.members().size() + " members, but the embedded "
                        + "database serves one member only; set database.url to a PostgreSQL database for a cluster "
                        + "(docs/operations.md), or run one member");
            }
            Path dir = privateDir(Path.of(config.dataDir()).toAbsolutePath());
            // WRITE_DELAY=0: a commit reaches the file before the write returns, so a SIGKILL loses nothing acknowledged.
            // RETENTION_TIME=1000: space of superseded chunks is reused after 1 s instead of 45 s, so the append-only
            // file stays near its live size under a steady write rate (the embedded store is not power-loss safe anyway;
            // use PostgreSQL for that).
            // DB_CLOSE_ON_EXIT=FALSE: H2's own shutdown hook would close the database under the member while it still
            // answers requests on SIGTERM; the member closes it last, after the API and Hazelcast.
            h.setJdbcUrl(embeddedUrl(dir.resolve("tessera")));
            h.setUsername("sa");
            h.setPassword(embeddedPassword(dir, h.getJdbcUrl()));
        }
        h.setMaximumPoolSize(config.database().poolSize());
        h.setPoolName("tessera-state");
        // A database that stopped answering fails a request (and a health check) in seconds, not Hikari's default 30.
        h.setConnectionTimeout(5_000);
        h.setValidationTimeout(2_000);
        // A database restarting with the cluster: keep trying the first connection instead of failing at once.
        h.setInitializationFailTimeout(60_000);
        HikariDataSource ds = new HikariDataSource(h);
        if (config.database().url() == null) {
            lockDown(Path.of(config.dataDir()).toAbsolutePath());
        }
        return Optional.of(ds);
    }

    /** The embedded database's file, when the configuration uses the embedded database. */
    public static Optional<Path> embeddedFile(SchedulerConfig config) {
        return config.durable() && config.database().url() == null
                ? Optional.of(Path.of(config.dataDir()).toAbsolutePath().resolve("tessera.mv.db")) : Optional.empty();
    }

    /** The JDBC URL of the embedded database whose files start with {@code base} (see the options above). */
    public static String embeddedUrl(Path base) {
        return "jdbc:h2:file:" + base + ";WRITE_DELAY=0;RETENTION_TIME=1000;DB_CLOSE_ON_EXIT=FALSE";
    }

    /**
     * Closes the pool. The embedded database first compacts its file ({@code SHUTDOWN COMPACT}):
     * while it runs, H2's append-only file levels off at a size set by the commit rate (each commit
     * writes a chunk that is kept for the retention time) rather than by the live data, and it
     * gives that space back only when compacted at close. Online compaction is not used: in H2
     * 2.3.232 it trips the store's own assertions while the database is open.
     */
    public static void close(HikariDataSource db) {
        if (db.getJdbcUrl().startsWith("jdbc:h2:file:")) {
            long start = System.nanoTime();
            try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
                st.execute("SHUTDOWN COMPACT");
                LOG.info("embedded database compacted at close in {} ms", (System.nanoTime() - start) / 1_000_000);
            } catch (SQLException e) {
                LOG.warn("could not compact the embedded database at close: {}", e.getMessage());
            }
        }
        db.close();
    }

    public static boolean isPostgres(HikariDataSource db) {
        return db.getJdbcUrl().startsWith("jdbc:postgresql:");
    }

    /** {@code dir}, created 0700 if missing; refused if it is a link; made 0700 if it was more open. */
    private static Path privateDir(Path dir) {
        try {
            if (Files.isSymbolicLink(dir)) {
                throw new IllegalStateException("dataDir " + dir + " is a symbolic link; refusing to use it");
            }
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(dir.getParent());
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException("cannot prepare dataDir " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The embedded database's password: read from {@code db.secret}, or made up on first use. A
     * database made by an older version with an empty password is given the new one.
     */
    private static String embeddedPassword(Path dir, String url) {
        Path file = dir.resolve("db.secret");
        if (Files.exists(file)) {
            return SecretFiles.readPrivate(file);
        }
        String password = Tokens.generate("db_");
        if (Files.exists(dir.resolve("tessera.mv.db"))) {
            try (Connection c = DriverManager.getConnection(url, "sa", "")) {
                c.createStatement().execute("ALTER USER SA SET PASSWORD '" + password + "'");
                LOG.info("the embedded database had no password; it has one now, in {}", file);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot open the embedded database " + dir + " to set its password: "
                        + e.getMessage(), e);
            }
        }
        SecretFiles.writePrivate(file, password);
        return password;
    }

    /** Every file in the data directory readable and writable by its owner only. */
    private static void lockDown(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList()) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
            }
        } catch (IOException e) {
            LOG.warn("could not restrict the files in {}: {}", dir, e.getMessage());
        }
    }
}
