package io.tessera.scheduler.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tessera audit} (admins): the audit trail, newest first, filtered as {@code GET /v1/audit}
 * filters it. With {@code --json}, the API's page, cursor included.
 */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Show the audit trail (admins).")
public final class AuditCommand extends ClientCommand {
    @Option(names = "--actor", description = "only this caller")
    String actor;

    @Option(names = "--action", description = "only this action (job.submit), or a family ending in '.' (job.)")
    String action;

    @Option(names = "--target", description = "only this target (a job id, node, queue)")
    String target;

    @Option(names = "--outcome", description = "ok, refused, forbidden, unauthenticated or failed")
    String outcome;

    @Option(names = "--since", description = "from this time (ISO-8601, e.g. 2026-12-07T09:00:00Z)")
    String since;

    @Option(names = "--until", description = "before this time (ISO-8601)")
    String until;

    @Option(names = "--limit", description = "at most this many records (default 100, at most 1000)")
    Integer limit;

    @Option(names = "--cursor", description = "continue after a page (its nextCursor)")
    Long cursor;

    @Override
    protected int run(ApiClient api) throws IOException, InterruptedException {
        JsonNode page = api.get("/v1/audit" + query());
        if (options.json) {
            printJson(page);
            return Exit.OK;
        }
        Table t = new Table("TIME", "ACTOR", "ROLE", "ACTION", "TARGET", "STATUS", "OUTCOME", "FROM", "DETAIL");
        for (JsonNode r : page.path("records")) {
            t.row(Instant.ofEpochMilli(r.path("atMs").asLong()), r.path("actor").asText(), r.path("role").asText(),
                    r.path("action").asText(), r.path("target").asText(), r.path("status").asInt(),
                    r.path("outcome").asText(), r.path("from").asText(), r.path("detail").asText());
        }
        if (t.isEmpty()) {
            out().println("no audit records match");
        } else {
            t.print(out());
        }
        if (page.hasNonNull("nextCursor")) {
            out().println("more: --cursor " + page.get("nextCursor").asLong());
        }
        out().flush();
        return Exit.OK;
    }

    private String query() {
        List<String> parts = new ArrayList<>();
        add(parts, "actor", actor);
        add(parts, "action", action);
        add(parts, "target", target);
        add(parts, "outcome", outcome);
        add(parts, "since", since);
        add(parts, "until", until);
        add(parts, "limit", limit == null ? null : limit.toString());
        add(parts, "cursor", cursor == null ? null : cursor.toString());
        return parts.isEmpty() ? "" : "?" + String.join("&", parts);
    }

    private static void add(List<String> parts, String name, String value) {
        if (value != null) {
            parts.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }
}
