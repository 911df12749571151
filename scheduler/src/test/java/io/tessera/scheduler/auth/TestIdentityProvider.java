package io.tessera.scheduler.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenID provider for tests, on real HTTP (port 0): discovery, a JWKS whose keys the test
 * rotates, and the device-code flow (the first poll is pending, the next one signs {@code deviceUser}
 * in). Tokens are signed with Nimbus, as a real provider's would be.
 */
final class TestIdentityProvider implements AutoCloseable {
    static final String CLIENT = "tessera-cli";
    private final HttpServer http;
    private final List<RSAKey> published = new CopyOnWriteArrayList<>();
    private final AtomicInteger jwksFetches = new AtomicInteger();
    private final AtomicInteger polls = new AtomicInteger();
    private volatile String issuerInDiscovery;
    volatile RSAKey current;
    volatile Map<String, Object> deviceUser = Map.of("sub", "carol", "roles", List.of("tessera-user"));

    TestIdentityProvider() throws IOException {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        issuerInDiscovery = issuer();
        current = newKey();
        published.add(current);
        http.createContext("/.well-known/openid-configuration", ex -> json(ex, 200, "{\"issuer\":\"" + issuerInDiscovery
                + "\",\"jwks_uri\":\"" + issuer() + "/jwks\",\"device_authorization_endpoint\":\"" + issuer()
                + "/device\",\"token_endpoint\":\"" + issuer() + "/token\"}"));
        http.createContext("/jwks", ex -> {
            jwksFetches.incrementAndGet();
            json(ex, 200, new JWKSet(List.copyOf(published)).toPublicJWKSet().toString());
        });
        http.createContext("/device", ex -> json(ex, 200, "{\"device_code\":\"dc-1\",\"user_code\":\"WDJB-MJHT\","
                + "\"verification_uri\":\"" + issuer() + "/activate\",\"interval\":0,\"expires_in\":60}"));
        http.createContext("/token", ex -> {
            String form = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (!form.contains("device_code=dc-1") || !form.contains("client_id=" + CLIENT)) {
                json(ex, 400, "{\"error\":\"invalid_grant\"}");
            } else if (polls.incrementAndGet() == 1) {
                json(ex, 400, "{\"error\":\"authorization_pending\"}");
            } else {
                JWTClaimsSet.Builder b = claims(CLIENT, Instant.now().plusSeconds(600));
                deviceUser.forEach(b::claim);
                json(ex, 200, "{\"id_token\":\"" + sign(b.build(), current) + "\",\"access_token\":\"opaque\","
                        + "\"token_type\":\"Bearer\"}");
            }
        });
        http.start();
    }

    String issuer() {
        return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    int jwksFetches() {
        return jwksFetches.get();
    }

    /** Discovery claims another issuer from now on (a provider misconfigured or impersonated). */
    void claimIssuer(String other) {
        issuerInDiscovery = other;
    }

    /** A new signing key becomes current; {@code keepOld}: the old one stays published. */
    RSAKey rotate(boolean keepOld) {
        RSAKey next = newKey();
        if (!keepOld) {
            published.clear();
        }
        published.add(next);
        current = next;
        return next;
    }

    static RSAKey newKey() {
        try {
            return new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).keyIDFromThumbprint(true).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Claims from this provider for {@code audience}, expiring at {@code exp}. */
    JWTClaimsSet.Builder claims(String audience, Instant exp) {
        return new JWTClaimsSet.Builder().issuer(issuer()).audience(audience).expirationTime(Date.from(exp))
                .issueTime(new Date());
    }

    static String sign(JWTClaimsSet claims, RSAKey key) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
                    .type(JOSEObjectType.JWT).build(), claims);
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void json(HttpExchange ex, int status, String body) {
        try (ex) {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, b.length);
            ex.getResponseBody().write(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
