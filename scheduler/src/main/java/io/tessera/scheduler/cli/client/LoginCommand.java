package io.tessera.scheduler.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.config.Documents;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tessera login}: signs in and keeps the token in the client config file (mode 0600), so
 * later commands need no {@code --token}. The token comes from {@code --token}, {@code --token-file}
 * ({@code -}: standard input), or, with {@code --device}, from the identity provider through the
 * device-code flow the scheduler's {@code GET /v1/auth} describes. The scheduler is asked who the
 * token names before anything is saved, so a token it refuses is never kept.
 */
@Command(name = "login", mixinStandardHelpOptions = true,
        description = "Sign in: check a token (or get one from the identity provider) and keep it in the config file.")
public final class LoginCommand extends ClientCommand {
    @Option(names = "--token-file", description = "read the token from this file ('-': standard input)")
    String tokenFile;

    @Option(names = "--device", description = "sign in through the identity provider's device-code flow")
    boolean device;

    @Option(names = "--use", description = "with --device, which token to keep: id (default) or access")
    String use = "id";

    @Override
    protected boolean createsConfig() {
        return true;
    }

    @Override
    protected int run(ApiClient api) throws IOException, InterruptedException {
        String token = device ? fromProvider(api) : tokenFile != null ? fromFile() : api.token();
        if (token == null || token.isBlank()) {
            throw new UsageError("give a token (--token, --token-file, $TESSERA_TOKEN) or sign in with --device");
        }
        JsonNode who = new ApiClient(api.base(), token.strip()).get("/v1/whoami");
        Path file = options.configFile();
        save(file, api.base(), token.strip());
        if (options.json) {
            printJson(who);
        } else {
            out().println("signed in to " + api.base() + " as " + who.path("subject").asText() + " ("
                    + who.path("role").asText() + "); token kept in " + file);
            out().flush();
        }
        return Exit.OK;
    }

    private String fromProvider(ApiClient api) throws IOException, InterruptedException {
        JsonNode info = new ApiClient(api.base(), null).get("/v1/auth");
        if (!"oidc".equals(info.path("mode").asText())) {
            throw new UsageError("the scheduler does not sign in through an identity provider (auth mode "
                    + info.path("mode").asText() + "); ask an admin for a token");
        }
        String device = info.path("deviceAuthorizationEndpoint").asText(null);
        String client = info.path("cliClientId").asText(null);
        if (device == null || client == null || !info.hasNonNull("tokenEndpoint")) {
            throw new UsageError("the identity provider offers no device flow to the CLI (cliClientId or the "
                    + "provider's device endpoint is missing); sign in elsewhere and run tessera login --token-file");
        }
        JsonNode tokens = new DeviceCodeFlow(device, info.get("tokenEndpoint").asText(), client).signIn(out());
        String field = use.equals("access") ? "access_token" : "id_token";
        if (!tokens.hasNonNull(field)) {
            throw new UsageError("the identity provider issued no " + field);
        }
        return tokens.get(field).asText();
    }

    private String fromFile() throws IOException {
        return tokenFile.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                : Files.readString(Path.of(tokenFile));
    }

    /** Writes url and token into the config file, keeping its other keys; the file is created 0600. */
    static void save(Path file, String url, String token) throws IOException {
        ObjectNode doc = Files.isRegularFile(file) && Documents.readFile(file) instanceof ObjectNode o ? o
                : Documents.json().createObjectNode();
        doc.put("url", url);
        doc.put("token", token);
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, Documents.json().writerWithDefaultPrettyPrinter().writeValueAsString(doc) + "\n",
                StandardOpenOption.TRUNCATE_EXISTING);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
