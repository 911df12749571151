package io.tessera.scheduler.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.ResourceRetriever;
import io.tessera.config.Documents;
import io.tessera.config.OidcConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The company's identity provider, as the scheduler sees it: its discovery document (read
 * lazily, at the first token, and again after a failure at most every 5 s) and its signing keys,
 * fetched from the JWKS with Nimbus's caching, rate-limited and outage-tolerant source. A token
 * naming a key id the cached set lacks makes the source fetch the set again (key rotation); a
 * key dropped from the set stops working when the cache expires. Thread-safe.
 */
public final class OidcProvider implements JWKSource<SecurityContext> {
    private static final long RETRY_DISCOVERY_MS = 5_000;
    private final OidcConfig config;
    private final ResourceRetriever http = new DefaultResourceRetriever(3_000, 3_000, 512 * 1024);
    private final Clock clock;
    private JWKSource<SecurityContext> keys;
    private Discovery discovery;
    private long failedAtNanos;
    private boolean failed;
    private String failure = "";

    /**
     * What discovery found.
     *
     * @param jwksUri                     where the signing keys are
     * @param deviceAuthorizationEndpoint where the CLI starts the device-code flow, or null
     * @param tokenEndpoint               where the CLI polls for its token, or null
     */
    public record Discovery(String jwksUri, String deviceAuthorizationEndpoint, String tokenEndpoint) {
    }

    public OidcProvider(OidcConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    /** An authenticator over this provider's keys and the configured checks and claims. */
    public JwtAuthenticator authenticator() {
        Set<JWSAlgorithm> algs = config.algorithms().stream().map(JWSAlgorithm::parse).collect(Collectors.toSet());
        return new JwtAuthenticator(this, algs, new JwtAuthenticator.Checks(config.issuer(), config.audience(),
                config.clockSkewSeconds(), clock), ClaimsMapping.of(config));
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) throws KeySourceException {
        return keys().get(selector, context);
    }

    /** The discovery document's addresses; throws when the provider cannot be reached or lies about itself. */
    public synchronized Discovery discovery() throws KeySourceException {
        if (discovery != null) {
            return discovery;
        }
        if (failed && System.nanoTime() - failedAtNanos < RETRY_DISCOVERY_MS * 1_000_000) {
            throw new KeySourceException("OIDC discovery failed recently: " + failure);
        }
        try {
            discovery = discover();
            return discovery;
        } catch (IOException | KeySourceException | RuntimeException e) {
            failed = true;
            failedAtNanos = System.nanoTime();
            failure = e.getMessage();
            throw new KeySourceException("OIDC discovery at " + config.issuer() + " failed: " + e.getMessage(), e);
        }
    }

    /** What the CLI needs to sign a user in (served at {@code GET /v1/auth}). */
    public Map<String, Object> loginInfo() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("mode", "oidc");
        out.put("issuer", config.issuer());
        out.put("audience", config.audience());
        out.put("cliClientId", config.cliClientId());
        try {
            Discovery d = discovery();
            out.put("deviceAuthorizationEndpoint", d.deviceAuthorizationEndpoint());
            out.put("tokenEndpoint", d.tokenEndpoint());
        } catch (KeySourceException e) {
            out.put("error", e.getMessage());
        }
        return out;
    }

    private synchronized JWKSource<SecurityContext> keys() throws KeySourceException {
        if (keys == null) {
            String uri = config.jwksUri() != null ? config.jwksUri() : discovery().jwksUri();
            long ttl = config.jwksCacheSeconds() * 1000L;
            keys = JWKSourceBuilder.<SecurityContext>create(url(uri), http)
                    .cache(ttl, Math.min(3_000, ttl / 2))
                    .refreshAheadCache(false)
                    .rateLimited(Math.min(30_000, ttl / 2)) // at most one fetch per interval, however many unknown key ids
                    .outageTolerant(Math.max(ttl, 3_600_000))
                    .retrying(true)
                    .build();
        }
        return keys;
    }

    private Discovery discover() throws IOException, KeySourceException {
        String base = config.issuer().endsWith("/") ? config.issuer().substring(0, config.issuer().length() - 1)
                : config.issuer();
        JsonNode doc = Documents.parseJson(http.retrieveResource(url(base + "/.well-known/openid-configuration"))
                .getContent().getBytes(StandardCharsets.UTF_8));
        if (!config.issuer().equals(doc.path("issuer").asText())) {
            throw new IOException("the discovery document names issuer '" + doc.path("issuer").asText()
                    + "', not the configured '" + config.issuer() + "'");
        }
        String jwks = doc.path("jwks_uri").asText(null);
        if (jwks == null) {
            throw new IOException("the discovery document has no jwks_uri");
        }
        OidcConfig.checkUrl("jwks_uri", jwks);
        return new Discovery(jwks, doc.path("device_authorization_endpoint").asText(null),
                doc.path("token_endpoint").asText(null));
    }

    private static URL url(String s) throws KeySourceException {
        try {
            return URI.create(s).toURL();
        } catch (IOException | IllegalArgumentException e) {
            throw new KeySourceException("not a URL: " + s);
        }
    }
}
