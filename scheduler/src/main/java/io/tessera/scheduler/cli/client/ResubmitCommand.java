package io.tessera.scheduler.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tessera resubmit JOB [--watch]}: the same spec again, as a new job with a fresh
 * checkpoint directory (set {@code resumeFrom: JOB} in a spec to resume one instead).
 */
@Command(name = "resubmit", mixinStandardHelpOptions = true, description = "Submit a job's spec again as a new job.")
public final class ResubmitCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "JOB", description = "the job to run again")
    String id;

    @Option(names = "--watch", description = "follow the new job to its end")
    boolean watch;

    @Option(names = "--poll-ms", defaultValue = "1000", hidden = true)
    long pollMs;

    @Override
    protected int run(ApiClient api) throws IOException, InterruptedException {
        JsonNode created = api.post("/v1/jobs/" + Ids.check(id) + "/resubmit", "", "application/json");
        if (options.json && !watch) {
            printJson(created);
            return Exit.OK;
        }
        String newId = created.path("id").asText();
        out().println("resubmitted " + id + " as " + newId + " (" + created.path("state").asText() + ")");
        out().flush();
        return watch ? new JobWatcher(api, out(), System.console() != null, pollMs).watch(newId) : Exit.OK;
    }
}
