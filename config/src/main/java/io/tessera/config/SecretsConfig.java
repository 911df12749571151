package io.tessera.config;

/**
 * Where a scheduler member's own secrets come from (docs/security.md). Each is read from a file
 * that must be mode 0600, or from an environment variable; never from the state store.
 *
 * @param clusterSecretFile the secret every member of a multi-member cluster shares (or
 *                          {@code TESSERA_CLUSTER_SECRET}); a cluster of several members refuses to start without one
 * @param secretKeyFile     the key that encrypts jobs' {@code secretEnv} at rest (or {@code TESSERA_SECRET_KEY},
 *                          base64 of 32 bytes); a lone member with an embedded database makes one under its
 *                          dataDir when neither is set
 */
public record SecretsConfig(String clusterSecretFile, String secretKeyFile) {
    public static final SecretsConfig DEFAULT = new SecretsConfig(null, null);
}
