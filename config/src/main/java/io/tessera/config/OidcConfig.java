package io.tessera.config;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Sign-in through the company's identity provider ({@code auth.mode: oidc}, docs/security.md).
 * Tokens are JWTs the provider signs with a key it publishes in its JWKS; the scheduler finds the
 * JWKS through OIDC discovery, caches it, and fetches it again when a token names a key it does
 * not hold (rotation).
 *
 * @param issuer           the provider's issuer URL, exactly as tokens carry it in {@code iss}; discovery
 *                         reads {@code <issuer>/.well-known/openid-configuration}. HTTPS, or HTTP to a
 *                         loopback address only
 * @param audience         the {@code aud} a token must carry (the client id tokens are issued for)
 * @param jwksUri          the JWKS address; null: the one discovery names
 * @param algorithms       the signature algorithms accepted; asymmetric only (default RS256 and ES256)
 * @param clockSkewSeconds how far {@code exp} and {@code nbf} may be off (default 60, at most 300)
 * @param subjectClaim     the claim that names the user (default {@code sub}; {@code preferred_username}
 *                         or {@code email} are common)
 * @param roleClaim        the claim holding roles, a string or a list; a dotted path reaches into objects
 *                         ({@code realm_access.roles}) (default {@code roles})
 * @param adminRoles       role values that make a caller an admin (default {@code tessera-admin})
 * @param userRoles        role values that make a caller a user; empty: every signed-in caller who is not
 *                         an admin is a user (default empty)
 * @param groupsClaim      the claim holding groups, matched against queues' {@code groups} (default
 *                         {@code groups})
 * @param jwksCacheSeconds how long a fetched JWKS is used before it is fetched again (default 300)
 * @param cliClientId      the public client id {@code tessera login --device} runs the device-code flow
 *                         with; null: the CLI takes a token the user brings
 */
public record OidcConfig(String issuer, String audience, String jwksUri, List<String> algorithms,
                         Integer clockSkewSeconds, String subjectClaim, String roleClaim, List<String> adminRoles,
                         List<String> userRoles, String groupsClaim, Integer jwksCacheSeconds, String cliClientId) {
    private static final Set<String> ASYMMETRIC = Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
            "ES256", "ES384", "ES512", "EdDSA");

    public OidcConfig {
        issuer = required("auth.oidc.issuer", issuer);
        audience = required("auth.oidc.audience", audience);
        checkUrl("auth.oidc.issuer", issuer);
        if (jwksUri != null) {
            checkUrl("auth.oidc.jwksUri", jwksUri);
        }
        algorithms = algorithms == null || algorithms.isEmpty() ? List.of("RS256", "ES256") : List.copyOf(algorithms);
        for (String a : algorithms) {
            if (!ASYMMETRIC.contains(a)) {
                throw new ValidationException("auth.oidc.algorithms", "'" + a + "' is not allowed; use asymmetric "
                        + "algorithms only (" + String.join(", ", ASYMMETRIC.stream().sorted().toList()) + ")");
            }
        }
        clockSkewSeconds = clockSkewSeconds == null ? 60 : clockSkewSeconds;
        if (clockSkewSeconds < 0 || clockSkewSeconds > 300) {
            throw new ValidationException("auth.oidc.clockSkewSeconds", "must be between 0 and 300, got " + clockSkewSeconds);
        }
        subjectClaim = subjectClaim == null || subjectClaim.isBlank() ? "sub" : subjectClaim;
        roleClaim = roleClaim == null || roleClaim.isBlank() ? "roles" : roleClaim;
        adminRoles = adminRoles == null || adminRoles.isEmpty() ? List.of("tessera-admin") : List.copyOf(adminRoles);
        userRoles = userRoles == null ? List.of() : List.copyOf(userRoles);
        groupsClaim = groupsClaim == null || groupsClaim.isBlank() ? "groups" : groupsClaim;
        jwksCacheSeconds = jwksCacheSeconds == null ? 300 : jwksCacheSeconds;
        if (jwksCacheSeconds < 1 || jwksCacheSeconds > 86_400) {
            throw new ValidationException("auth.oidc.jwksCacheSeconds", "must be between 1 and 86400, got " + jwksCacheSeconds);
        }
    }

    /** The minimal settings: an issuer and an audience, everything else at its default. */
    public static OidcConfig of(String issuer, String audience) {
        return new OidcConfig(issuer, audience, null, null, null, null, null, null, null, null, null, null);
    }

    private static String required(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new ValidationException(field, "is required in oidc mode");
        }
        return value.strip();
    }

    /** HTTPS, or plain HTTP only to this machine: keys fetched in the clear from afar could be swapped. */
    public static void checkUrl(String field, String value) {
        URI u;
        try {
            u = URI.create(value);
        } catch (IllegalArgumentException e) {
            throw new ValidationException(field, "is not a URL: " + e.getMessage());
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        String host = u.getHost() == null ? "" : u.getHost();
        boolean loopback = host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1");
        if (!(scheme.equals("https") || scheme.equals("http") && loopback)) {
            throw new ValidationException(field, "must be an https URL (plain http only to localhost), got '" + value + "'");
        }
    }
}
