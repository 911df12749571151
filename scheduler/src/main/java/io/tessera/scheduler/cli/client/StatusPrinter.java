package io.tessera.scheduler.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Prints one job's API view for people: summary, shards, the first failure, recent events. */
final class StatusPrinter {
    private static final int EVENTS = 10;

    private StatusPrinter() {
    }

    static void print(JsonNode job, PrintWriter out) {
        out.println(Table.clean(job.path("id").asText() + "  " + job.path("name").asText() + "  " + job.path("state").asText()));
        field(out, "owner", job.path("owner").asText("-"));
        field(out, "queue", job.path("queue").asText() + " (priority " + job.path("priority").asInt() + ")");
        field(out, "attempt", job.path("attempt").asInt() + " (" + job.path("restarts").asInt() + " restarts)");
        field(out, "submitted", job.path("submittedAt").asText("-"));
        if (job.hasNonNull("startedAt")) {
            field(out, "started", job.get("startedAt").asText());
        }
        if (job.hasNonNull("finishedAt")) {
            field(out, "finished", job.get("finishedAt").asText());
        }
        if (job.hasNonNull("durationSec")) {
            field(out, "duration", ProgressLine.duration(Math.round(job.get("durationSec").asDouble())));
        }
        if (job.hasNonNull("waitingReason")) {
            field(out, "waiting", job.get("waitingReason").asText());
        }
        if (job.hasNonNull("estimatedStartAt")) {
            field(out, "est. start", job.get("estimatedStartAt").asText());
        }
        if (job.has("placement")) {
            JsonNode p = job.get("placement");
            field(out, "placement", String.format(Locale.ROOT, "%s, predicted %.1f samples/s, %.3f s/step",
                    p.path("precision").asText(), p.path("predictedSamplesPerSec").asDouble(), p.path("stepTimeSec").asDouble()));
            field(out, "progress", ProgressLine.of(job));
            training(job.path("training"), out);
            shards(job, out);
        }
        failure(job, out);
        events(job, out);
        out.flush();
    }

    /** The latest metrics its training logged, its pace on the clock and when it should end (GET .../metrics for the curve). */
    private static void training(JsonNode t, PrintWriter out) {
        if (t.isMissingNode() || t.isNull()) {
            return;
        }
        List<String> parts = new ArrayList<>();
        t.path("metrics").fields().forEachRemaining(e -> parts.add(e.getKey() + "=" + e.getValue().asText()));
        if (!parts.isEmpty()) {
            field(out, "metrics", Table.clean(String.join("  ", parts.stream().sorted().toList())));
        }
        if (t.hasNonNull("stepsPerSec")) {
            field(out, "pace", String.format(Locale.ROOT, "%.3g steps/s%s", t.get("stepsPerSec").asDouble(),
                    t.hasNonNull("estimatedEndAt") ? ", ends about " + t.get("estimatedEndAt").asText() : ""));
        }
    }

    private static void shards(JsonNode job, PrintWriter out) {
        Table t = new Table("SHARD", "NODE", "CHIP", "DEVICES", "MICRO-BATCH", "PHASE", "OUTCOME", "STEP", "SAMPLES/S",
                "PREDICTED", "EFFICIENCY", "EXIT");
        for (JsonNode s : job.path("shards")) {
            t.row(s.path("shard").asInt(), s.path("node").asText(), s.path("chipType").asText(), join(s.path("devices")),
                    s.path("microBatch").asInt() + (s.path("accumulation").asInt(1) > 1 ? "x" + s.path("accumulation").asInt() : ""),
                    s.path("phase").asText(), s.path("outcome").asText("-"),
                    s.hasNonNull("step") ? s.get("step").asText() + (s.hasNonNull("totalSteps") ? "/" + s.get("totalSteps").asText() : "") : "-",
                    s.hasNonNull("measuredSamplesPerSec") ? String.format(Locale.ROOT, "%.1f", s.get("measuredSamplesPerSec").asDouble()) : "-",
                    String.format(Locale.ROOT, "%.1f", s.path("predictedSamplesPerSec").asDouble()),
                    s.hasNonNull("learnedEfficiency") ? String.format(Locale.ROOT, "%.3f", s.get("learnedEfficiency").asDouble()) : "-",
                    s.hasNonNull("signal") ? s.get("signal").asText() : s.hasNonNull("exitCode") ? s.get("exitCode").asText() : "-");
        }
        out.println();
        t.print(out);
        images(job, out);
    }

    /** Which image each shard runs in, when any runs in one: the variant that applied and the digest its node resolved. */
    private static void images(JsonNode job, PrintWriter out) {
        Table t = new Table("SHARD", "VARIANT", "IMAGE", "DIGEST");
        boolean any = false;
        for (JsonNode s : job.path("shards")) {
            if (s.hasNonNull("image")) {
                any = true;
                String digest = s.path("imageDigest").asText("-");
                t.row(s.path("shard").asInt(), s.path("variant").asText("-"), s.get("image").asText(),
                        digest.length() > 19 ? digest.substring(0, 19) : digest);
            }
        }
        if (any) {
            out.println();
            t.print(out);
        }
    }

    /** The first failure of the last attempt, with the end of its output, if a shard failed. */
    static void failure(JsonNode job, PrintWriter out) {
        JsonNode f = job.get("failure");
        if (f == null || f.isNull()) {
            return;
        }
        out.println();
        out.println(Table.clean("first failure: " + f.path("summary").asText() + " (attempt " + f.path("attempt").asInt()
                + (f.hasNonNull("node") ? ", node " + f.get("node").asText() : "") + ")"));
        if (!f.path("peerFailures").isEmpty()) {
            out.println("  shards " + join(f.get("peerFailures")) + " failed after it (peer failure)");
        }
        if (!f.path("outputTail").isEmpty()) {
            out.println("  last " + f.get("outputTail").size() + " lines of its output:");
            f.get("outputTail").forEach(l -> out.println("  | " + Table.clean(l.asText())));
        }
    }

    private static void events(JsonNode job, PrintWriter out) {
        JsonNode events = job.path("events");
        out.println();
        out.println("events" + (events.size() > EVENTS ? " (last " + EVENTS + " of " + events.size() + ")" : "") + ":");
        for (int i = Math.max(0, events.size() - EVENTS); i < events.size(); i++) {
            JsonNode e = events.get(i);
            out.println(Table.clean("  " + e.path("at").asText() + "  " + e.path("type").asText() + "  " + e.path("message").asText()));
        }
    }

    private static void field(PrintWriter out, String name, String value) {
        out.println(Table.clean(String.format(Locale.ROOT, "  %-11s %s", name + ":", value)));
    }

    static String join(JsonNode array) {
        StringBuilder b = new StringBuilder();
        array.forEach(n -> b.append(b.length() == 0 ? "" : ",").append(n.asText()));
        return b.toString();
    }
}
