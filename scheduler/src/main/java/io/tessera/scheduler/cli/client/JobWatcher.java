package io.tessera.scheduler.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Set;

/**
 * Follows a job until it finishes: on a terminal, one progress line redrawn in place; otherwise
 * a new line whenever it changes. New events are printed as they come. Returns the exit code:
 * 0 if the job succeeded, 1 if it failed or was cancelled.
 */
final class JobWatcher {
    static final Set<String> TERMINAL = Set.of("SUCCEEDED", "FAILED", "CANCELLED");
    private final ApiClient api;
    private final PrintWriter out;
    private final boolean tty;
    private final long pollMs;

    JobWatcher(ApiClient api, PrintWriter out, boolean tty, long pollMs) {
        this.api = api;
        this.out = out;
        this.tty = tty;
        this.pollMs = pollMs;
    }

    int watch(String id) throws IOException, InterruptedException {
        int eventsShown = 0;
        String lastLine = "";
        while (true) {
            JsonNode job = api.get("/v1/jobs/" + id);
            JsonNode events = job.path("events");
            for (int i = eventsShown; i < events.size(); i++) {
                JsonNode e = events.get(i);
                if (tty && !lastLine.isEmpty()) {
                    out.print("\r\033[K");
                }
                out.println(Table.clean(e.path("at").asText() + "  " + e.path("type").asText() + "  " + e.path("message").asText()));
                lastLine = "";
            }
            eventsShown = events.size();
            String line = ProgressLine.of(job);
            if (!line.equals(lastLine)) {
                out.print(tty ? "\r\033[K" + line : line + "\n");
                lastLine = line;
            }
            out.flush();
            String state = job.path("state").asText();
            if (TERMINAL.contains(state)) {
                if (tty) {
                    out.println();
                }
                StatusPrinter.failure(job, out);
                out.flush();
                return state.equals("SUCCEEDED") ? Exit.OK : Exit.JOB_FAILED;
            }
            Thread.sleep(pollMs); // polling the API between updates
        }
    }
}
