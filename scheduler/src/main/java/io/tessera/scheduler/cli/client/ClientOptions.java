package io.tessera.scheduler.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.Documents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * Where the client commands find the scheduler and their token: {@code --url} and {@code --token};
 * else {@code TESSERA_URL} and {@code TESSERA_TOKEN}; else the config file ({@code --config},
 * {@code TESSERA_CONFIG}, or {@code ~/.config/tessera/config.yaml}) with {@code url:} and
 * {@code token:}. A config file holding a token must be private to its owner (mode 0600), or it
 * is refused. The URL defaults to {@code http://127.0.0.1:8080}.
 */
public final class ClientOptions {
    public static final String DEFAULT_URL = "http://127.0.0.1:8080";

    @Option(names = "--url", description = "scheduler URL (else $TESSERA_URL, the config file, or " + DEFAULT_URL + ")")
    String url;

    @Option(names = "--token", description = "bearer token (else $TESSERA_TOKEN or the config file)")
    String token;

    @Option(names = "--config", description = "client config file (else $TESSERA_CONFIG or ~/.config/tessera/config.yaml)")
    Path config;

    @Option(names = "--json", description = "print the API's JSON instead of a table")
    public boolean json;

    /** The environment and home directory; replaced in tests. */
    Map<String, String> env = System.getenv();
    String home = System.getProperty("user.home");

    /** The URL {@link #client} resolved, and where it came from (for messages). */
    private String resolved;

    /** A client for the resolved URL and token. */
    public ApiClient client() throws BadConfig {
        return client(false);
    }

    /** The same; {@code creating}: a named config file that does not exist yet is not an error. */
    ApiClient client(boolean creating) throws BadConfig {
        boolean given = (url != null || env.get("TESSERA_URL") != null) && (token != null || env.get("TESSERA_TOKEN") != null);
        JsonNode file = given ? null : file(creating);
        String u = first(url, env.get("TESSERA_URL"), text(file, "url"), DEFAULT_URL);
        String t = first(token, env.get("TESSERA_TOKEN"), text(file, "token"), null);
        String from = first(url) != null ? "--url" : first(env.get("TESSERA_URL")) != null ? "$TESSERA_URL"
                : text(file, "url") != null ? configFile().toString() : "the default";
        resolved = u + " (from " + from + ")";
        return new ApiClient(u, t);
    }

    /** The URL tried and where it came from, for error messages. Regression: it said "the configured URL". */
    String urlForMessages() {
        return resolved != null ? resolved : url != null ? url : env.getOrDefault("TESSERA_URL", DEFAULT_URL);
    }

    Path configFile() {
        return config != null ? config : env.get("TESSERA_CONFIG") != null ? Path.of(env.get("TESSERA_CONFIG"))
                : defaultFile(home, env);
    }

    /** The default config file path, for this user. */
    public static Path defaultFile(String home, Map<String, String> env) {
        String xdg = env.get("XDG_CONFIG_HOME");
        return (xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(home, ".config")).resolve("tessera/config.yaml");
    }

    private JsonNode file(boolean creating) throws BadConfig {
        Path f = configFile();
        if (!Files.isRegularFile(f)) {
            if (!creating && config != null || env.get("TESSERA_CONFIG") != null) {
                throw new BadConfig("config file " + f + " does not exist");
            }
            return null;
        }
        try {
            JsonNode doc = Documents.readFile(f);
            if (doc.hasNonNull("token")) {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(f);
                if (perms.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                    throw new BadConfig("config file " + f + " holds a token but others may read it; run chmod 600 " + f);
                }
            }
            return doc;
        } catch (IOException | RuntimeException e) {
            throw e instanceof BadConfig b ? b : new BadConfig("cannot read config file " + f + ": " + e.getMessage());
        }
    }

    private static String text(JsonNode doc, String field) {
        return doc == null || !doc.hasNonNull(field) ? null : doc.get(field).asText();
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v.strip();
            }
        }
        return null;
    }

    /** The client cannot be configured as asked. */
    public static final class BadConfig extends IOException {
        private static final long serialVersionUID = 1L;

        public BadConfig(String message) {
            super(message);
        }
    }
}
