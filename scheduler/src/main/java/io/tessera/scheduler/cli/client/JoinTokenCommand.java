package io.tessera.scheduler.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.Documents;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tessera join-token issue|revoke} (admins): the one-time tokens a new node's agent enrolls
 * with (docs/security.md). The token is shown once, at issue.
 */
@Command(name = "join-token", mixinStandardHelpOptions = true, description = "Issue or revoke agent join tokens (admins).",
        subcommands = {JoinTokenCommand.Issue.class, JoinTokenCommand.Revoke.class})
public final class JoinTokenCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    @Command(name = "issue", mixinStandardHelpOptions = true, description = "Issue a join token; it is shown once.")
    public static final class Issue extends ClientCommand {
        @Option(names = "--node", description = "the only node that may enroll with it")
        String node;

        @Option(names = "--uses", description = "how many enrollments it allows (default 1)")
        Integer uses;

        @Option(names = "--ttl-seconds", description = "how long it is valid")
        Long ttlSeconds;

        @Override
        protected int run(ApiClient api) throws IOException, InterruptedException {
            Map<String, Object> body = new LinkedHashMap<>();
            if (node != null) {
                body.put("node", Ids.checkNode(node));
            }
            if (uses != null) {
                body.put("uses", uses);
            }
            if (ttlSeconds != null) {
                body.put("ttlSeconds", ttlSeconds);
            }
            JsonNode t = api.post("/v1/agents/join-tokens", Documents.json().writeValueAsString(body), "application/json");
            if (options.json) {
                printJson(t);
                return Exit.OK;
            }
            out().println("join token " + t.path("id").asText() + " (" + t.path("uses").asInt() + " use(s), expires "
                    + t.path("expiresAt").asText() + (t.hasNonNull("node") ? ", node " + t.get("node").asText() : "") + "):");
            out().println(t.path("token").asText());
            out().println("put it in the agent's joinTokenFile (mode 0600); it is not shown again");
            out().flush();
            return Exit.OK;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a join token by its id.")
    public static final class Revoke extends ClientCommand {
        @Parameters(paramLabel = "ID", description = "the token's id, as issue printed it")
        String id;

        @Override
        protected int run(ApiClient api) throws IOException, InterruptedException {
            JsonNode r = api.delete("/v1/agents/join-tokens/" + Ids.checkNode(id));
            out().println(options.json ? r.toString() : "join token " + id + " revoked");
            out().flush();
            return Exit.OK;
        }
    }
}
