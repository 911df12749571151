package io.tessera.scheduler.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.tessera.config.OidcConfig;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SSO against a real OpenID provider on HTTP (discovery, a JWKS it rotates): what a token must be
 * to sign someone in, and how claims become a user, an admin and groups. Times are checked
 * against an injected clock.
 */
class OidcSsoTest {
    private static final String AUD = "tessera";
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private TestIdentityProvider idp;
    private Authenticator auth;

    @BeforeEach
    void start() throws Exception {
        idp = new TestIdentityProvider();
        auth = provider(1).authenticator();
    }

    @AfterEach
    void stop() {
        idp.close();
    }

    private OidcProvider provider(int cacheSeconds) {
        return new OidcProvider(new OidcConfig(idp.issuer(), AUD, null, null, 60, null, null, null, null, null,
                cacheSeconds, TestIdentityProvider.CLIENT), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private JWTClaimsSet.Builder user(String sub) {
        return idp.claims(AUD, NOW.plusSeconds(300)).subject(sub).claim("roles", List.of("tessera-user"))
                .claim("groups", List.of("ml", "vision"));
    }

    private Optional<Principal> signIn(JWTClaimsSet claims) {
        return auth.authenticate(TestIdentityProvider.sign(claims, idp.current));
    }

    @Test
    void aProvidersTokenSignsAUserOrAnAdminIn() {
        Principal alice = signIn(user("alice").build()).orElseThrow();
        assertThat(alice.subject()).isEqualTo("alice");
        assertThat(alice.role()).isEqualTo(Role.USER);
        assertThat(alice.groups()).containsExactlyInAnyOrder("ml", "vision");
        Principal root = signIn(user("root").claim("roles", List.of("tessera-user", "tessera-admin")).build()).orElseThrow();
        assertThat(root.role()).isEqualTo(Role.ADMIN);
        assertThat(signIn(user("dave").claim("roles", "tessera-admin").build()).orElseThrow().role())
                .as("a role claim that is one string").isEqualTo(Role.ADMIN);
    }

    @Test
    void timesAreCheckedWithTheConfiguredSkew() {
        assertThat(signIn(user("a").expirationTime(Date.from(NOW.minusSeconds(30))).build()))
                .as("expired 30 s ago, within the 60 s skew").isPresent();
        assertThat(signIn(user("a").expirationTime(Date.from(NOW.minusSeconds(61))).build()))
                .as("expired beyond the skew").isEmpty();
        assertThat(signIn(user("a").notBeforeTime(Date.from(NOW.plusSeconds(120))).build()))
                .as("not valid yet").isEmpty();
        assertThat(signIn(new JWTClaimsSet.Builder(user("a").build()).expirationTime(null).build()))
                .as("no exp").isEmpty();
    }

    @Test
    void wrongAudienceOrIssuerIsRefused() {
        assertThat(signIn(user("a").audience("another-app").build())).isEmpty();
        assertThat(signIn(user("a").audience((String) null).build())).as("no audience").isEmpty();
        assertThat(signIn(user("a").issuer("https://evil.example").build())).isEmpty();
        assertThat(signIn(user("a").issuer(null).build())).as("no issuer").isEmpty();
        assertThat(signIn(user("a").audience(List.of("other", AUD)).build())).as("one of several audiences").isPresent();
    }

    @Test
    void algNoneAndAnHmacMadeWithThePublicKeyAreRefused() throws Exception {
        assertThat(auth.authenticate(new PlainJWT(user("mallory").build()).serialize())).as("alg none").isEmpty();
        String unsigned = TestIdentityProvider.sign(user("mallory").build(), idp.current);
        String[] parts = unsigned.split("\\.");
        String noneHeader = Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(auth.authenticate(noneHeader + "." + parts[1] + ".")).as("alg none, hand-made").isEmpty();
        RSAKey pub = idp.current.toPublicJWK();
        for (byte[] secret : List.of(pub.toRSAPublicKey().getEncoded(), pub.toJSONString().getBytes(StandardCharsets.UTF_8),
                ("-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(pub.toRSAPublicKey().getEncoded())
                        + "\n-----END PUBLIC KEY-----\n").getBytes(StandardCharsets.UTF_8))) {
            SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(pub.getKeyID()).build(),
                    user("mallory").claim("roles", List.of("tessera-admin")).build());
            forged.sign(new MACSigner(secret));
            assertThat(auth.authenticate(forged.serialize())).as("HS256 keyed with the public key").isEmpty();
        }
    }

    @Test
    void anUnknownKeyIdIsRefused() {
        RSAKey stranger = TestIdentityProvider.newKey();
        assertThat(auth.authenticate(TestIdentityProvider.sign(user("mallory").build(), stranger))).isEmpty();
        RSAKey sameKidOtherKey = new RSAKey.Builder(stranger).keyID(idp.current.getKeyID()).build();
        assertThat(auth.authenticate(TestIdentityProvider.sign(user("mallory").build(), sameKidOtherKey)))
                .as("a known key id on another key").isEmpty();
    }

    @Test
    void rotatedKeysAreFetchedAndRetiredKeysStopWorking() {
        assertThat(signIn(user("alice").build())).isPresent();
        for (int i = 0; i < 50; i++) {
            assertThat(signIn(user("alice").build())).isPresent();
        }
        assertThat(idp.jwksFetches()).as("the JWKS is cached, not fetched per token").isLessThanOrEqualTo(3);
        RSAKey old = idp.current;
        idp.rotate(false);
        await().atMost(Duration.ofSeconds(10)).until(() -> signIn(user("alice").build()).isPresent());
        await().atMost(Duration.ofSeconds(10)).until(() ->
                auth.authenticate(TestIdentityProvider.sign(user("alice").build(), old)).isEmpty());
    }

    @Test
    void aDiscoveryDocumentNamingAnotherIssuerIsNotTrusted() {
        idp.claimIssuer("https://impostor.example");
        OidcProvider p = provider(1);
        assertThat(p.authenticator().authenticate(TestIdentityProvider.sign(user("alice").build(), idp.current))).isEmpty();
        assertThat(p.loginInfo().get("error").toString()).contains("impostor.example");
    }
}
