package io.tessera.scheduler.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
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
        Table t = new Table("QUEUE", "WEIGHT", "COHORT", "QUOTA TFLOPS", "QUOTA DEVICES", "USED TFLOPS", "BORROWED",
                "FAIR SHARE", "PENDING JOBS", "PENDING DEVICES");
        for (JsonNode q : queues.path("queues")) {
            JsonNode spec = q.path("queue");
            t.row(spec.path("name").asText(), num(spec.path("weight")), spec.path("cohort").asText("-"),
                    num(spec.path("quota").path("tflops")), devices(spec.path("quota").path("devices")),
                    num(q.path("usedTflops")), num(q.path("borrowedTflops")),
                    num(q.path("fairShareTflops")), q.path("pendingJobs").asInt(), q.path("pendingDevices").asLong());
        }
        t.print(out());
        return Exit.OK;
    }

    /** A device quota per chip type, {@code ascend-910b=16 nvidia-h20=8}; "-" for none (regression: it was not shown). */
    static String devices(JsonNode quota) {
        List<String> parts = new ArrayList<>();
        quota.fields().forEachRemaining(e -> parts.add(e.getKey() + "=" + e.getValue().asText()));
        return parts.isEmpty() ? "-" : String.join(" ", parts.stream().sorted().toList());
    }

    private static String num(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? "-" : n.isNumber() ? String.format(Locale.ROOT, "%.1f", n.asDouble()) : n.asText();
    }
}
