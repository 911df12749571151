package io.tessera.scheduler.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.AuthConfig;
import io.tessera.config.Documents;
import io.tessera.config.OidcConfig;
import io.tessera.scheduler.cli.TesseraMain;
import io.tessera.scheduler.e2e.TestCluster;
import io.tessera.scheduler.security.Tokens;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * SSO end to end: a scheduler in oidc mode, a local provider, and the CLI. The CLI signs a user
 * in through the device-code flow and keeps the token; the token works for jobs; a rotated
 * provider key works without a restart; an expired token, or one for another audience, is a 401.
 */
class SsoEndToEndTest {
    @TempDir
    Path dir;

    private static String run(String... args) {
        StringWriter out = new StringWriter();
        int code = new CommandLine(new TesseraMain()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(out, true))
                .execute(args);
        return code + " " + out;
    }

    @Test
    void aUserSignsInThroughTheProviderAndWorks() throws Exception {
        Path join = Files.writeString(dir.resolve("join"), Tokens.sha256(TestCluster.JOIN) + "\n");
        try (TestIdentityProvider idp = new TestIdentityProvider();
             TestCluster c = TestCluster.start(dir, AuthConfig.oidc(new OidcConfig(idp.issuer(), TestIdentityProvider.CLIENT,
                     null, null, null, null, null, null, List.of("tessera-user"), null, 2, TestIdentityProvider.CLIENT),
                     join.toString()))) {
            JsonNode settings = c.sendAs(null, "GET", "/v1/auth", null, null).json();
            assertThat(settings.get("mode").asText()).isEqualTo("oidc");
            assertThat(settings.get("issuer").asText()).isEqualTo(idp.issuer());
            assertThat(settings.get("deviceAuthorizationEndpoint").asText()).isEqualTo(idp.issuer() + "/device");

            Path config = dir.resolve("client/config.yaml");
            String login = run("login", "--device", "--url", c.url(), "--config", config.toString());
            assertThat(login).startsWith("0 ").contains("enter the code WDJB-MJHT").contains("as carol (user)");
            assertThat(Files.getPosixFilePermissions(config)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            String token = Documents.readFile(config).get("token").asText();
            assertThat(run("jobs", "--config", config.toString())).startsWith("0 ");
            String id = c.submitAs(token, "name: sso\ncommand: [w]\nshards: 1\nflopsPerSample: 1e12\n"
                    + "memoryPerShardGiB: 1\nglobalBatch: 4\n");
            assertThat(c.sendAs(token, "GET", "/v1/jobs/" + id, null, null).json().get("owner").asText()).isEqualTo("carol");

            idp.rotate(false);
            String afterRotation = TestIdentityProvider.sign(idp.claims(TestIdentityProvider.CLIENT,
                    Instant.now().plusSeconds(600)).subject("carol").claim("roles", List.of("tessera-user")).build(), idp.current);
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    c.sendAs(afterRotation, "GET", "/v1/whoami", null, null).status() == 200);
            await("the retired key stops working").atMost(Duration.ofSeconds(10))
                    .until(() -> c.sendAs(token, "GET", "/v1/whoami", null, null).status() == 401);

            String expired = TestIdentityProvider.sign(idp.claims(TestIdentityProvider.CLIENT,
                    Instant.now().minusSeconds(120)).subject("carol").claim("roles", List.of("tessera-user")).build(), idp.current);
            assertThat(c.sendAs(expired, "GET", "/v1/jobs", null, null).status()).isEqualTo(401);
            String otherApp = TestIdentityProvider.sign(idp.claims("another-app", Instant.now().plusSeconds(600))
                    .subject("carol").claim("roles", List.of("tessera-user")).build(), idp.current);
            assertThat(c.sendAs(otherApp, "GET", "/v1/jobs", null, null).status()).isEqualTo(401);
            String noRole = TestIdentityProvider.sign(idp.claims(TestIdentityProvider.CLIENT, Instant.now().plusSeconds(600))
                    .subject("mallory").build(), idp.current);
            assertThat(c.sendAs(noRole, "GET", "/v1/jobs", null, null).status()).as("not in a user role").isEqualTo(401);

            idp.deviceUser = Map.of("sub", "root", "roles", List.of("tessera-admin"));
            assertThat(run("login", "--token", afterRotation, "--url", c.url(), "--config", config.toString()))
                    .as("a token brought by the user").contains("as carol (user)");
            assertThat(run("login", "--token", expired, "--url", c.url(), "--config", config.toString()))
                    .as("a refused token is not kept").doesNotStartWith("0 ");
            assertThat(Documents.readFile(config).get("token").asText()).isEqualTo(afterRotation);
        }
    }
}
