package io.tessera.scheduler.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code tessera cancel JOB...}: like scancel. Exits with the worst code of the jobs named (4 if one is unknown). */
@Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel jobs: their workers are stopped and devices freed.")
public final class CancelCommand extends ClientCommand {
    @Parameters(arity = "1..*", paramLabel = "JOB", description = "job ids")
    List<String> ids;

    @Override
    protected int run(ApiClient api) throws IOException, InterruptedException {
        int worst = Exit.OK;
        for (String id : ids) {
            try {
                JsonNode job = api.delete("/v1/jobs/" + Ids.check(id));
                String state = job.path("state").asText();
                out().println(id + ": " + (job.path("state").asText().equals("CANCELLED") || !job.path("cancelRequested").asBoolean()
                        ? "already " + state : "cancel requested (was " + state + ")"));
            } catch (ApiException e) {
                err().println("tessera cancel: " + id + ": " + Table.clean(e.getMessage()));
                worst = Math.max(worst, Exit.of(e));
            }
        }
        out().flush();
        err().flush();
        return worst;
    }
}
