package io.tessera.scheduler.auth;

import java.time.Duration;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.URI;
import io.tessera.scheduler.security.Tokens;
import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.AuthConfig;
import io.tessera.scheduler.e2e.TestCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Forged, expired, malformed and missing tokens get 401 and change nothing. */
class BrokenTokensTest {
    private static final byte[] SECRET = "a-shared-secret-of-enough-length-0123456789".getBytes(StandardCharsets.UTF_8);
    private static final String JOB = "name: j\ncommand: [w]\nshards: 1\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 4\n";
    @TempDir
    Path dir;

    static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static String hs256(String header, String claims, byte[] secret) throws Exception {
        String signed = b64(header) + "." + b64(claims);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        return signed + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII)));
    }

    private static String claims(String sub, String role, long exp) {
        return "{\"sub\":\"" + sub + "\",\"role\":\"" + role + "\",\"exp\":" + exp + ",\"iss\":\"tessera-test\"}";
    }

    @Test
    void jwtModeOverHttp() throws Exception {
        Path secret = dir.resolve("jwt.secret");
        Files.write(secret, SECRET);
        Path join = dir.resolve("join");
        Files.writeString(join, Tokens.sha256(TestCluster.JOIN) + "\n");
        try (TestCluster c = TestCluster.start(dir, new AuthConfig("jwt", null, join.toString(), secret.toString(), null,
                "tessera-test"))) {
            long future = Instant.now().getEpochSecond() + 3600;
            String header = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
            String good = hs256(header, claims("carol", "user", future), SECRET);
            assertThat(c.sendAs(good, "POST", "/v1/jobs", JOB.getBytes(), "application/yaml").status()).isEqualTo(201);
            List<String> broken = List.of(
                    hs256(header, claims("carol", "admin", future), "another-secret-entirely-0123456789".getBytes()), // forged
                    hs256(header, claims("carol", "user", Instant.now().getEpochSecond() - 5), SECRET),                 // expired
                    b64("{\"alg\":\"none\"}") + "." + b64(claims("carol", "admin", future)) + ".",                       // alg none
                    hs256("{\"alg\":\"HS512\"}", claims("carol", "user", future), SECRET),                               // alg switch
                    hs256(header, "{\"sub\":\"carol\",\"role\":\"root\",\"exp\":" + future + ",\"iss\":\"tessera-test\"}", SECRET),
                    hs256(header, "{\"sub\":\"carol\",\"role\":\"user\",\"exp\":" + future + ",\"iss\":\"evil\"}", SECRET),
                    good.substring(0, good.length() - 3) + "AAA",                                                        // tampered
                    "not.a.jwt", "a.b", "....", "eyJhbGciOiJIUzI1NiJ9", "%%%", "x".repeat(7000));
            for (String token : broken) {
                var r = c.sendAs(token, "POST", "/v1/jobs", JOB.getBytes(), "application/yaml");
                assertThat(r.status()).as(token.length() > 60 ? token.substring(0, 60) : token).isEqualTo(401);
                assertThat(r.contentType()).isEqualTo("application/problem+json");
            }
            assertThat(c.sendAs(null, "GET", "/v1/jobs", null, null).status()).isEqualTo(401);
            // Past the header size limit the HTTP codec answers 431 before any handler runs.
            assertThat(c.sendAs("x".repeat(20_000), "GET", "/v1/jobs", null, null).status()).isEqualTo(431);
            var all = c.sendAs(good, "GET", "/v1/jobs", null, null);
            assertThat(all.json().get("jobs")).hasSize(1);
        }
    }

    @Test
    void malformedHeadersAndUnknownTokensOnTheTokenFile() {
        try (TestCluster c = TestCluster.start(dir)) {
            for (String header : List.of("Bearer", "Bearer ", "Basic YWxpY2U6c2VjcmV0", "bearer", "Token " + TestCluster.ADMIN,
                    "Bearer tsk_guessed", "Bearer " + TestCluster.ADMIN + "x", "Bearer tsa_node-x.forged")) {
                var r = raw(c, header);
                assertThat(r).as(header).isEqualTo(401);
            }
            assertThat(c.sendAs(TestCluster.ADMIN, "GET", "/v1/jobs", null, null).json().get("jobs")).isEmpty();
        }
    }

    private static int raw(TestCluster c, String authorization) {
        try {
            var req = HttpRequest.newBuilder(URI.create(c.url() + "/v1/jobs"))
                    .header("Authorization", authorization).header("Content-Type", "application/yaml")
                    .POST(HttpRequest.BodyPublishers.ofString(JOB)).build();
            return HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void rs256TokensVerifyWithThePublicKeyOnly() throws Exception {
        var gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        var keys = gen.generateKeyPair();
        Clock clock = Clock.fixed(Instant.parse("2026-11-21T12:00:00Z"), ZoneOffset.UTC);
        JwtAuthenticator auth = JwtAuthenticator.rs256((RSAPublicKey) keys.getPublic(), null, clock);
        String signed = b64("{\"alg\":\"RS256\"}") + "." + b64(claims("dave", "admin", clock.instant().getEpochSecond() + 60));
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(keys.getPrivate());
        s.update(signed.getBytes(StandardCharsets.US_ASCII));
        String token = signed + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(s.sign());
        assertThat(auth.authenticate(token)).contains(new Principal("dave", Role.ADMIN));
        // An HS256 token "signed" with the public key bytes is refused (algorithm confusion).
        assertThat(auth.authenticate(hs256("{\"alg\":\"HS256\"}", claims("dave", "admin", clock.instant().getEpochSecond() + 60),
                keys.getPublic().getEncoded()))).isEmpty();
        assertThat(JwtAuthenticator.rs256((RSAPublicKey) keys.getPublic(), null, Clock.offset(clock, Duration.ofMinutes(2)))
                .authenticate(token)).isEmpty();
    }

    @Test
    void tokenFilesHoldOnlyHashes() throws Exception {
        Path f = dir.resolve("t.yaml");
        Files.writeString(f, "tokens:\n  - {name: eve, role: user, sha256: " + Tokens.sha256("tsk_eve") + "}\n");
        TokenFileAuthenticator auth = TokenFileAuthenticator.load(f);
        assertThat(auth.authenticate("tsk_eve")).contains(new Principal("eve", Role.USER));
        assertThat(auth.authenticate(Tokens.sha256("tsk_eve"))).isEqualTo(Optional.empty());
        assertThat(Files.readString(f)).doesNotContain("tsk_eve");
    }

    @Test
    void groupsComeFromTokenFileEntriesAndJwtClaims() throws Exception {
        Path f = dir.resolve("g.yaml");
        Files.writeString(f, "tokens:\n  - {name: eve, role: user, sha256: " + Tokens.sha256("tsk_eve")
                + ", groups: [ml-team, infra]}\n");
        assertThat(TokenFileAuthenticator.load(f).authenticate("tsk_eve").orElseThrow().groups())
                .containsExactlyInAnyOrder("ml-team", "infra");
        byte[] secret = "a-shared-secret-of-32-bytes-long!".getBytes(StandardCharsets.UTF_8);
        Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
        long exp = clock.instant().getEpochSecond() + 60;
        String token = hs256("{\"alg\":\"HS256\"}", "{\"sub\":\"fay\",\"role\":\"user\",\"exp\":" + exp
                + ",\"groups\":[\"ml-team\"]}", secret);
        assertThat(JwtAuthenticator.hs256(secret, null, clock).authenticate(token).orElseThrow().groups())
                .containsExactly("ml-team");
        String noList = hs256("{\"alg\":\"HS256\"}", "{\"sub\":\"fay\",\"role\":\"user\",\"exp\":" + exp
                + ",\"groups\":\"ml-team\"}", secret);
        assertThat(JwtAuthenticator.hs256(secret, null, clock).authenticate(noList).orElseThrow().groups())
                .as("a groups claim that is not a list gives no groups").isEmpty();
    }
}
