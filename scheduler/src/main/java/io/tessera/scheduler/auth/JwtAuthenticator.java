package io.tessera.scheduler.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.util.Date;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bearer JWTs verified by Nimbus JOSE+JWT, then mapped to a principal by a {@link ClaimsMapping}.
 * The contract: a token is accepted only when it is signed by a key the key source holds with one
 * of the allowed algorithms (so {@code alg: none} and an HMAC made with a public key are refused),
 * its type is absent, {@code JWT} or {@code at+jwt}, it carries {@code sub} and {@code exp}, it has
 * not expired and is already valid (within the clock skew), and its issuer and audience are the
 * configured ones where configured. Anything else is empty, never an exception.
 */
public final class JwtAuthenticator implements Authenticator {
    private static final Logger LOG = LoggerFactory.getLogger(JwtAuthenticator.class);
    private static final int MAX_TOKEN = 8192;
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final ClaimsMapping mapping;
    private final AtomicLong lastWarned = new AtomicLong(System.nanoTime() - 20_000_000_000L);

    /**
     * @param keys       where verification keys come from
     * @param algorithms the signature algorithms accepted
     * @param checks     issuer, audience and clock settings
     * @param mapping    how claims become a principal
     */
    public JwtAuthenticator(JWKSource<SecurityContext> keys, Set<JWSAlgorithm> algorithms, Checks checks,
                            ClaimsMapping mapping) {
        this.mapping = mapping;
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keys));
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null));
        processor.setJWTClaimsSetVerifier(checks.verifier());
    }

    /**
     * What a token's claims must satisfy besides its signature.
     *
     * @param issuer           the exact {@code iss}, or null for any
     * @param audience         the {@code aud} that must be among the token's, or null for any
     * @param clockSkewSeconds how far {@code exp} and {@code nbf} may be off
     * @param clock            the time tokens are checked at
     */
    public record Checks(String issuer, String audience, int clockSkewSeconds, Clock clock) {
        DefaultJWTClaimsVerifier<SecurityContext> verifier() {
            JWTClaimsSet exact = issuer == null ? new JWTClaimsSet.Builder().build()
                    : new JWTClaimsSet.Builder().issuer(issuer).build();
            Set<String> required = audience == null ? Set.of("sub", "exp") : Set.of("sub", "exp", "aud");
            DefaultJWTClaimsVerifier<SecurityContext> v = new DefaultJWTClaimsVerifier<>(
                    audience == null ? null : Set.of(audience), exact, required, null) {
                @Override
                protected Date currentTime() {
                    return Date.from(clock.instant());
                }
            };
            v.setMaxClockSkew(clockSkewSeconds);
            return v;
        }
    }

    /** HS256 with a shared secret, the fixed-key mode's claims, no clock skew. */
    public static JwtAuthenticator hs256(byte[] secret, String issuer, Clock clock) {
        return new JwtAuthenticator(new ImmutableSecret<>(secret.clone()), Set.of(JWSAlgorithm.HS256),
                new Checks(issuer, null, 0, clock), ClaimsMapping.FIXED_KEY);
    }

    /** RS256 with one public key, the fixed-key mode's claims, no clock skew. */
    public static JwtAuthenticator rs256(RSAPublicKey key, String issuer, Clock clock) {
        JWKSet set = new JWKSet(new RSAKey.Builder(key).keyUse(KeyUse.SIGNATURE).build());
        return new JwtAuthenticator(new ImmutableJWKSet<>(set), Set.of(JWSAlgorithm.RS256),
                new Checks(issuer, null, 0, clock), ClaimsMapping.FIXED_KEY);
    }

    @Override
    public Optional<Principal> authenticate(String token) {
        if (token.length() > MAX_TOKEN || token.chars().filter(c -> c == '.').count() != 2) {
            return Optional.empty();
        }
        try {
            return mapping.principal(processor.process(token, null));
        } catch (KeySourceException e) {
            long now = System.nanoTime();
            long last = lastWarned.get();
            if (now - last > 10_000_000_000L && lastWarned.compareAndSet(last, now)) { // one line per 10 s, not one per call
                LOG.warn("cannot fetch the identity provider's signing keys, tokens refused: {}", e.getMessage());
            }
            return Optional.empty();
        } catch (ParseException | BadJOSEException | JOSEException | RuntimeException e) {
            LOG.debug("token refused: {}", e.getMessage());
            return Optional.empty();
        }
    }
}
