package io.tessera.scheduler.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tessera jobs}: like squeue. By default the caller's queued and running jobs; {@code --all}
 * adds finished ones, {@code --state}, {@code --queue} and {@code --user} (admins) filter, and
 * {@code --limit} caps the rows.
 */
@Command(name = "jobs", mixinStandardHelpOptions = true, description = "List jobs: yours, queued and running unless --all.")
public final class JobsCommand extends ClientCommand {
    static final String LIVE = "QUEUED,PLACED,RUNNING,PREEMPTING";

    @Option(names = "--state", description = "only these states, comma-separated (QUEUED, RUNNING, SUCCEEDED, ...)")
    String state;

    @Option(names = "--queue", description = "only this queue")
    String queue;

    @Option(names = "--user", description = "only this user's jobs (admins; users always see their own)")
    String user;

    @Option(names = "--all", description = "finished jobs too")
    boolean all;

    @Option(names = "--limit", defaultValue = "100", description = "at most this many rows (default ${DEFAULT-VALUE})")
    int limit;

    @Override
    protected int run(ApiClient api) throws IOException, InterruptedException {
        StringBuilder q = new StringBuilder("/v1/jobs?limit=").append(limit);
        String states = state != null ? state : all ? null : LIVE;
        param(q, "state", states);
        param(q, "queue", queue);
        param(q, "owner", user);
        JsonNode page = api.get(q.toString());
        if (options.json) {
            printJson(page);
            return Exit.OK;
        }
        Table t = new Table("ID", "NAME", "OWNER", "QUEUE", "STATE", "SHARDS", "ATTEMPT", "SUBMITTED", "TIME", "REASON");
        Instant now = Instant.now();
        for (JsonNode j : page.path("jobs")) {
            t.row(j.path("id").asText(), j.path("name").asText(), j.path("owner").asText("-"), j.path("queue").asText(),
                    j.path("state").asText(), j.path("shards").size() == 0 ? "-" : j.path("shards").size(),
                    j.path("attempt").asInt(), age(j.path("submittedAt").asText(null), now),
                    j.hasNonNull("durationSec") ? ProgressLine.duration(Math.round(j.get("durationSec").asDouble())) : "-",
                    reason(j));
        }
        if (t.isEmpty()) {
            out().println(all || state != null ? "no jobs" : "no queued or running jobs (--all shows finished ones)");
            out().flush();
            return Exit.OK;
        }
        t.print(out());
        return Exit.OK;
    }

    private static String reason(JsonNode j) {
        if (j.hasNonNull("estimatedStartAt")) {
            return "starts ~" + j.get("estimatedStartAt").asText();
        }
        String r = j.path("waitingReason").asText("");
        if (r.isEmpty() && j.has("failure")) {
            r = j.get("failure").path("summary").asText("");
        }
        return r.isEmpty() ? "-" : r.length() > 70 ? r.substring(0, 67) + "..." : r;
    }

    static String age(String iso, Instant now) {
        if (iso == null) {
            return "-";
        }
        long s = Math.max(0, Duration.between(Instant.parse(iso), now).getSeconds());
        return s < 120 ? s + "s ago" : s < 7200 ? s / 60 + "m ago" : s < 172_800 ? s / 3600 + "h ago" : s / 86_400 + "d ago";
    }

    private static void param(StringBuilder q, String name, String value) {
        if (value != null) {
            q.append('&').append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }
}
