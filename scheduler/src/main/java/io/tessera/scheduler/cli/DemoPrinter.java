package io.tessera.scheduler.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.Locale;

/** Renders the demo's placement table and progress lines from the API's job JSON. */
final class DemoPrinter {
    private final PrintStream out;
    private String lastProgress = "";
    private int eventsShown;

    DemoPrinter(PrintStream out) {
        this.out = out;
    }

    void placement(JsonNode job) {
        JsonNode p = job.get("placement");
        out.printf(Locale.ROOT, "%nPlacement of %s (attempt %d): precision %s, predicted %.1f samples/s, %.3f s/step%n",
                job.get("id").asText(), job.get("attempt").asInt(), p.get("precision").asText(),
                p.get("predictedSamplesPerSec").asDouble(), p.get("stepTimeSec").asDouble());
        out.printf("%-6s %-15s %-13s %-8s %-10s %-9s %-11s %s%n", "SHARD", "NODE", "CHIP", "VENDOR", "DEVICES",
                "PRECISION", "MICRO-BATCH", "SAMPLES/S");
        for (JsonNode s : job.get("shards")) {
            out.printf(Locale.ROOT, "%-6d %-15s %-13s %-8s %-10s %-9s %-11d %.1f%n", s.get("shard").asInt(),
                    s.get("node").asText(), s.get("chipType").asText(), s.get("vendor").asText(),
                    s.get("devices").toString().replace("[", "").replace("]", ""), s.get("precision").asText(),
                    s.get("microBatch").asInt(), s.get("predictedSamplesPerSec").asDouble());
        }
        StringBuilder shares = new StringBuilder("vendor shares:");
        p.get("vendorShares").fields().forEachRemaining(e ->
                shares.append(String.format(Locale.ROOT, " %s %.0f%%", e.getKey(), 100 * e.getValue().asDouble())));
        out.println(shares);
        out.println();
    }

    /** Prints new events and, when it changed, one line of per-shard progress. */
    void progress(JsonNode job) {
        JsonNode events = job.get("events");
        for (int i = eventsShown; i < events.size(); i++) {
            JsonNode e = events.get(i);
            out.printf("  [%s] %-16s %s%n", e.get("at").asText().substring(11, 19), e.get("type").asText(),
                    e.get("message").asText());
        }
        eventsShown = events.size();
        StringBuilder line = new StringBuilder();
        for (JsonNode s : job.get("shards")) {
            line.append(String.format(Locale.ROOT, " %d:%s", s.get("shard").asInt(),
                    s.has("step") ? s.get("step").asText() + "/" + s.path("totalSteps").asText("?")
                            : s.get("phase").asText().toLowerCase(Locale.ROOT)));
        }
        String text = line.toString();
        if (!text.isEmpty() && !text.equals(lastProgress)) {
            out.println("  progress" + text);
            lastProgress = text;
        }
    }
}
