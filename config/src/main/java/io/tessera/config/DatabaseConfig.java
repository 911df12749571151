package io.tessera.config;

/**
 * Where cluster state is made durable (docs/operations.md).
 *
 * @param url      a JDBC URL: {@code jdbc:postgresql://host/db}, or {@code jdbc:h2:file:/path}; null for the
 *                 embedded H2 file under the scheduler's {@code dataDir}
 * @param user     database user
 * @param password database password
 * @param poolSize connections per scheduler member
 */
public record DatabaseConfig(String url, String user, String password, Integer poolSize) {
    public DatabaseConfig {
        poolSize = SchedulerConfig.check("database.poolSize", poolSize == null ? 4 : poolSize, 1, 64);
        if (url != null && !(url.startsWith("jdbc:postgresql:") || url.startsWith("jdbc:h2:"))) {
            throw new ValidationException("database.url", "must be a jdbc:postgresql: or jdbc:h2: URL");
        }
    }

    public static final DatabaseConfig DEFAULT = new DatabaseConfig(null, null, null, null);
}
