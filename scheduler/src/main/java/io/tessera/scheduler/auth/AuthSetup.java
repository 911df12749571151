package io.tessera.scheduler.auth;

import java.util.function.Supplier;
import io.tessera.scheduler.security.Tokens;
import io.tessera.config.AuthConfig;
import io.tessera.config.ValidationException;
import io.tessera.scheduler.state.ClusterStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.security.interfaces.RSAPublicKey;
import java.util.Optional;

/**
 * Builds authentication from configuration: the user/admin authenticator (token file, JWT, or
 * none), agent credentials, and, where no file is configured, a generated admin token and join
 * token that are printed once and kept only as hashes.
 *
 * @param users             authenticates users and admins
 * @param agents            enrollment and per-node credentials
 * @param generatedAdmin    the generated admin token, when no token file was configured
 * @param generatedJoin     the generated join token, when no join token file was configured
 * @param login             what a client needs to sign a user in ({@code GET /v1/auth}): the mode, and in
 *                          oidc mode the provider's issuer, client id and device-flow endpoints
 * @param scrapeHashes      SHA-256 hashes of the scrape tokens that may read per-job metrics
 */
public record AuthSetup(Authenticator users, AgentCredentials agents, Optional<String> generatedAdmin,
                        Optional<String> generatedJoin, Supplier<Map<String, Object>> login,
                        Supplier<List<String>> scrapeHashes) {

    /** Without sign-in details beyond the mode, and without scrape tokens. */
    public AuthSetup(Authenticator users, AgentCredentials agents, Optional<String> generatedAdmin,
                     Optional<String> generatedJoin) {
        this(users, agents, generatedAdmin, generatedJoin, () -> Map.of("mode", "token"), List::of);
    }

    /** What a scrape of {@code /metrics} may see. */
    public enum MetricsView {
        /** Every series, per-job ones included: a scrape token or an admin's token. */
        FULL,
        /** Fleet-wide series only: no token, or a user's or agent's. */
        FLEET,
        /** A token that is not valid: refused. */
        REFUSED
    }

    /** What a scrape presenting {@code token} (null: none) may see. */
    public MetricsView metricsView(String token) {
        if (token == null) {
            return MetricsView.FLEET;
        }
        String hash = Tokens.sha256(token);
        if (scrapeHashes.get().stream().anyMatch(h -> Tokens.same(h, hash))) {
            return MetricsView.FULL;
        }
        return all().authenticate(token).map(p -> p.isAdmin() ? MetricsView.FULL : MetricsView.FLEET)
                .orElse(MetricsView.REFUSED);
    }

    public static AuthSetup from(AuthConfig config, ClusterStore store, Clock clock) {
        Optional<String> admin = Optional.empty();
        Authenticator users;
        Supplier<Map<String, Object>> login = () -> Map.of("mode", config.mode());
        switch (config.mode()) {
            case "none" -> users = token -> Optional.of(new Principal("anonymous", Role.ADMIN));
            case "jwt" -> users = jwt(config, clock);
            case "oidc" -> {
                OidcProvider provider = new OidcProvider(config.oidc(), clock);
                users = provider.authenticator();
                login = provider::loginInfo;
            }
            default -> {
                if (config.tokenFile() != null) {
                    users = TokenFileAuthenticator.load(Path.of(config.tokenFile()));
                } else {
                    String token = Tokens.generate("tsk_");
                    admin = Optional.of(token);
                    users = new TokenFileAuthenticator(List.of(
                            new TokenFileAuthenticator.Entry("admin", Role.ADMIN, Tokens.sha256(token))));
                }
            }
        }
        Optional<String> join = Optional.empty();
        Supplier<List<TokenFile.Line>> joinTokens;
        if (config.joinTokenFile() != null) {
            joinTokens = new TokenFile(Path.of(config.joinTokenFile()));
            joinTokens.get();
        } else {
            String token = Tokens.generate("tsj_");
            join = Optional.of(token);
            List<TokenFile.Line> generated = List.of(new TokenFile.Line(Tokens.sha256(token), null, null, null));
            joinTokens = () -> generated;
        }
        Supplier<List<String>> scrape = List::of;
        if (config.metricsTokenFile() != null) {
            TokenFile file = new TokenFile(Path.of(config.metricsTokenFile()));
            file.get();
            scrape = file::hashes;
        }
        return new AuthSetup(users, new AgentCredentials(store, joinTokens, clock), admin, join, login, scrape);
    }

    private static Authenticator jwt(AuthConfig config, Clock clock) {
        if (config.jwtHs256SecretFile() != null) {
            byte[] secret = read(config.jwtHs256SecretFile()).strip().getBytes(StandardCharsets.UTF_8);
            if (secret.length < 32) {
                throw new ValidationException("auth.jwtHs256SecretFile", "the secret must be at least 32 bytes (256 bits), got "
                        + secret.length);
            }
            return JwtAuthenticator.hs256(secret, config.jwtIssuer(), clock);
        }
        try {
            String pem = read(config.jwtRs256PublicKeyFile()).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            var key = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(pem)));
            return JwtAuthenticator.rs256((RSAPublicKey) key, config.jwtIssuer(), clock);
        } catch (Exception e) {
            throw new ValidationException("auth.jwtRs256PublicKeyFile", "not an RSA public key in PEM: " + e.getMessage());
        }
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Users and admins first, then agent credentials. */
    public Authenticator all() {
        return token -> token.startsWith(AgentCredentials.PREFIX) ? agents.authenticate(token) : users.authenticate(token);
    }
}
