package io.tessera.config;

/**
 * Where cluster state is made durable (docs/operations.md).
 *
 * @param url      a JDBC URL: {@code jdbc:postgresql://host/db}, or {@code jdbc:h2:file:/path}; null for the
 *                 embedded H2 file under the scheduler's {@code dataDir}
 * @param user     database user
 * @param password database password, inline (prefer {@code passwordFile})
 * @param poolSize connections per scheduler member
 * @param passwordFile a file holding the password, mode 0600 (or {@code TESSERA_DATABASE_PASSWORD}); not both with
 *                     {@code password}
 */
public record DatabaseConfig(String url, String user, String password, Integer poolSize, String passwordFile) {
    public DatabaseConfig(String url, String user, String password, Integer poolSize) {
        this(url, user, password, poolSize, null);
    }

    public DatabaseConfig {
        if (password != null && passwordFile != null) {
            throw new ValidationException("database.passwordFile", "set either password or passwordFile, not both");
        }
        poolSize = SchedulerConfig.check("database.poolSize", poolSize == null ? 4 : poolSize, 1, 64);
        if (url != null && !(url.startsWith("jdbc:postgresql:") || url.startsWith("jdbc:h2:"))) {
            throw new ValidationException("database.url", "must be a jdbc:postgresql: or jdbc:h2: URL");
        }
    }

    public static final DatabaseConfig DEFAULT = new DatabaseConfig(null, null, null, null, null);
}
