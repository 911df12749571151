package io.tessera.scheduler.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code tessera status JOB}: a job's state, times, placement, each shard's progress or outcome,
 * its first failure with the end of that shard's output, and its recent events. Exits 1 if the
 * job failed or was cancelled, 0 otherwise.
 */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show one job: shards, progress, failure, events.")
public final class StatusCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "JOB", description = "the job id")
    String id;

    @Override
    protected int run(ApiClient api) throws IOException, InterruptedException {
        JsonNode job = api.get("/v1/jobs/" + Ids.check(id));
        if (options.json) {
            printJson(job);
        } else {
            StatusPrinter.print(job, out());
        }
        String state = job.path("state").asText();
        return state.equals("FAILED") || state.equals("CANCELLED") ? Exit.JOB_FAILED : Exit.OK;
    }
}
