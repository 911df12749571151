package io.tessera.scheduler.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.Documents;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * JWT bearer tokens signed HS256 (shared secret) or RS256 (public key). Claims: {@code sub} (the
 * user), {@code role} ({@code user} or {@code admin}), {@code exp} (required), and optionally
 * {@code nbf} and {@code iss} (checked when an issuer is configured). The header's algorithm must
 * be the configured one: {@code none} and algorithm switching are refused.
 */
public final class JwtAuthenticator implements Authenticator {
    private final String algorithm;
    private final byte[] secret;
    private final PublicKey publicKey;
    private final String issuer;
    private final Clock clock;

    private JwtAuthenticator(String algorithm, byte[] secret, PublicKey publicKey, String issuer, Clock clock) {
        this.algorithm = algorithm;
        this.secret = secret;
        this.publicKey = publicKey;
        this.issuer = issuer;
        this.clock = clock;
    }

    public static JwtAuthenticator hs256(byte[] secret, String issuer, Clock clock) {
        return new JwtAuthenticator("HS256", secret.clone(), null, issuer, clock);
    }

    public static JwtAuthenticator rs256(PublicKey key, String issuer, Clock clock) {
        return new JwtAuthenticator("RS256", null, key, issuer, clock);
    }

    @Override
    public Optional<Principal> authenticate(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3 || token.length() > 8192) {
            return Optional.empty();
        }
        try {
            Base64.Decoder b64 = Base64.getUrlDecoder();
            JsonNode header = Documents.parseJson(b64.decode(parts[0]));
            if (!algorithm.equals(header.path("alg").asText()) || !verify(parts[0] + "." + parts[1], b64.decode(parts[2]))) {
                return Optional.empty();
            }
            return principal(Documents.parseJson(b64.decode(parts[1])));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private Optional<Principal> principal(JsonNode claims) {
        long now = clock.instant().getEpochSecond();
        if (!claims.path("exp").canConvertToLong() || claims.get("exp").asLong() <= now) {
            return Optional.empty();
        }
        if (claims.has("nbf") && claims.get("nbf").asLong() > now) {
            return Optional.empty();
        }
        if (issuer != null && !issuer.equals(claims.path("iss").asText(null))) {
            return Optional.empty();
        }
        String role = claims.path("role").asText("").toUpperCase(Locale.ROOT);
        String sub = claims.path("sub").asText("");
        if (sub.isEmpty() || !(role.equals("USER") || role.equals("ADMIN"))) {
            return Optional.empty();
        }
        Set<String> groups = new TreeSet<>();
        claims.path("groups").forEach(g -> groups.add(g.asText()));
        return Optional.of(new Principal(sub, Role.valueOf(role), groups));
    }

    private boolean verify(String signed, byte[] signature) {
        try {
            byte[] data = signed.getBytes(StandardCharsets.US_ASCII);
            if (algorithm.equals("HS256")) {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(secret, "HmacSHA256"));
                return MessageDigest.isEqual(mac.doFinal(data), signature);
            }
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initVerify(publicKey);
            rsa.update(data);
            return rsa.verify(signature);
        } catch (Exception e) {
            return false;
        }
    }
}
