package io.tessera.config;

import java.util.Set;

/**
 * Scheduler API authentication (docs/security.md).
 *
 * @param mode                  {@code token} (a hashed token file; the default), {@code jwt} (HS256 or RS256
 *                              bearer JWTs with a fixed key), {@code oidc} (the company's identity provider,
 *                              {@link OidcConfig}), or {@code none} (everyone is admin: local experiments only)
 * @param tokenFile             users' and admins' hashed tokens; without one, an admin token is generated at
 *                              start and printed once
 * @param joinTokenFile         SHA-256 hashes of agent join tokens, one per line; without one, a join token is
 *                              generated at start and printed once
 * @param jwtHs256SecretFile    the HS256 shared secret (jwt mode)
 * @param jwtRs256PublicKeyFile the RS256 public key, PEM (jwt mode)
 * @param jwtIssuer             the required {@code iss} claim, or null to accept any
 * @param holdNewNodes          true: a node enrolling for the first time joins with none of its devices
 *                              accepted, and runs nothing until an admin accepts its inventory (default false)
 * @param oidc                  the identity provider (oidc mode only)
 * @param metricsTokenFile      SHA-256 hashes of scrape tokens, one per line (read again when the file changes):
 *                              a scrape presenting one (or an admin's token) sees per-job series on
 *                              {@code /metrics}; any other scrape sees fleet-wide series only
 */
public record AuthConfig(String mode, String tokenFile, String joinTokenFile, String jwtHs256SecretFile,
                         String jwtRs256PublicKeyFile, String jwtIssuer, Boolean holdNewNodes, OidcConfig oidc,
                         String metricsTokenFile) {
    /** Without holding new nodes. */
    public AuthConfig(String mode, String tokenFile, String joinTokenFile, String jwtHs256SecretFile,
                      String jwtRs256PublicKeyFile, String jwtIssuer) {
        this(mode, tokenFile, joinTokenFile, jwtHs256SecretFile, jwtRs256PublicKeyFile, jwtIssuer, false, null, null);
    }

    /** Tokens from an identity provider ({@code oidc} mode). */
    public static AuthConfig oidc(OidcConfig oidc, String joinTokenFile) {
        return new AuthConfig("oidc", null, joinTokenFile, null, null, null, false, oidc, null);
    }

    /** A copy that holds new nodes, or not. */
    public AuthConfig holdingNewNodes(boolean hold) {
        return new AuthConfig(mode, tokenFile, joinTokenFile, jwtHs256SecretFile, jwtRs256PublicKeyFile, jwtIssuer, hold, oidc,
                metricsTokenFile);
    }

    /** A copy with scrape tokens from {@code file}. */
    public AuthConfig withMetricsTokenFile(String file) {
        return new AuthConfig(mode, tokenFile, joinTokenFile, jwtHs256SecretFile, jwtRs256PublicKeyFile, jwtIssuer, holdNewNodes,
                oidc, file);
    }

    public AuthConfig {
        mode = mode == null ? "token" : mode;
        holdNewNodes = holdNewNodes != null && holdNewNodes;
        if (!Set.of("token", "jwt", "oidc", "none").contains(mode)) {
            throw new ValidationException("auth.mode", "must be token, jwt, oidc or none, got '" + mode + "'");
        }
        if (mode.equals("oidc") != (oidc != null)) {
            throw new ValidationException("auth.oidc", mode.equals("oidc") ? "oidc mode needs auth.oidc (issuer, audience)"
                    : "is set but auth.mode is '" + mode + "', not oidc");
        }
        if (mode.equals("jwt") && (jwtHs256SecretFile == null) == (jwtRs256PublicKeyFile == null)) {
            throw new ValidationException("auth", "jwt mode needs exactly one of jwtHs256SecretFile and jwtRs256PublicKeyFile");
        }
    }

    public static final AuthConfig DEFAULT = new AuthConfig(null, null, null, null, null, null);
}
