package io.tessera.scheduler.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * One line on how a job is doing, from its API view: a bar of steps done, samples/s measured
 * (summed over shards) against predicted, and the time left at the measured rate (the predicted
 * one until a shard has measured). Pure.
 * <pre>RUNNING  [##########----------]  25/50 steps  182.4 samples/s (predicted 189.1)  ETA 0:01:08</pre>
 */
public final class ProgressLine {
    private static final int WIDTH = 20;

    private ProgressLine() {
    }

    public static String of(JsonNode job) {
        String state = job.path("state").asText();
        if (!job.has("placement") || job.path("shards").isEmpty()) {
            String why = job.hasNonNull("waitingReason") ? "  " + job.get("waitingReason").asText() : "";
            String eta = job.hasNonNull("estimatedStartAt") ? "  estimated start " + job.get("estimatedStartAt").asText() : "";
            return Table.clean(state + why + eta);
        }
        long step = Long.MAX_VALUE;
        long total = 0;
        double measured = 0;
        boolean anyMeasured = false;
        for (JsonNode s : job.get("shards")) {
            step = Math.min(step, s.path("step").asLong(0));
            total = Math.max(total, s.path("totalSteps").asLong(0));
            if (s.hasNonNull("measuredSamplesPerSec")) {
                measured += s.get("measuredSamplesPerSec").asDouble();
                anyMeasured = true;
            }
        }
        step = step == Long.MAX_VALUE ? 0 : step;
        double predicted = job.path("placement").path("predictedSamplesPerSec").asDouble();
        StringBuilder b = new StringBuilder(state).append("  attempt ").append(job.path("attempt").asInt());
        if (total > 0) {
            int filled = (int) Math.min(WIDTH, Math.round(WIDTH * (double) step / total));
            b.append("  [").append("#".repeat(filled)).append("-".repeat(WIDTH - filled)).append("]  ")
                    .append(step).append('/').append(total).append(" steps");
        } else {
            b.append("  step ").append(step);
        }
        b.append(String.format(Locale.ROOT, "  %s samples/s (predicted %.1f)",
                anyMeasured ? String.format(Locale.ROOT, "%.1f", measured) : "-", predicted));
        double rate = anyMeasured && measured > 0 ? measured : predicted;
        long batch = job.path("spec").path("globalBatch").asLong(0);
        boolean going = state.equals("RUNNING") || state.equals("PLACED"); // a finished job has no time left
        if (going && total > step && rate > 0 && batch > 0) {
            b.append("  ETA ").append(duration((long) Math.ceil((total - step) * batch / rate)));
        }
        return b.toString();
    }

    /** {@code H:MM:SS}. */
    public static String duration(long seconds) {
        return String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
    }
}
