package io.tessera.scheduler.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Locale;
import picocli.CommandLine.Command;

/** {@code tessera queues}: each queue's weight, quota, usage, borrowing, fair share and pending demand. */
@Command(name = "queues", mixinStandardHelpOptions = true, description = "List queues: quota, usage, fair share, pending jobs.")
public final class QueuesCommand extends ClientCommand {
    @Override
    protected int run(ApiClient api) throws IOException, InterruptedException {
        JsonNode queues = api.get("/v1/queues");
        if (options.json) {
            printJson(queues);
            return Exit.OK;
        }
        Table t = new Table("QUEUE", "WEIGHT", "COHORT", "QUOTA TFLOPS", "USED TFLOPS", "BORROWED", "FAIR SHARE",
                "PENDING JOBS", "PENDING DEVICES");
        for (JsonNode q : queues.path("queues")) {
            JsonNode spec = q.path("queue");
            t.row(spec.path("name").asText(), num(spec.path("weight")), spec.path("cohort").asText("-"),
                    num(spec.path("quota").path("tflops")), num(q.path("usedTflops")), num(q.path("borrowedTflops")),
                    num(q.path("fairShareTflops")), q.path("pendingJobs").asInt(), q.path("pendingDevices").asLong());
        }
        t.print(out());
        return Exit.OK;
    }

    private static String num(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? "-" : n.isNumber() ? String.format(Locale.ROOT, "%.1f", n.asDouble()) : n.asText();
    }
}
