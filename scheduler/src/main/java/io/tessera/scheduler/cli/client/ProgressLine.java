package io.tessera.scheduler.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * One line on how a job is doing, from its API view: a bar of steps done, samples/s measured
 * (summed over shards) against predicted, the latest metrics its training logged (losses first,
 * at most {@link #METRICS}), and, while it runs, the time left: at the pace its curve measured on
 * the clock ({@code training.estimatedEndAt}), or before there is one, at the samples/s rate.
 * Pure, given the time.
 * <pre>RUNNING  [##########----------]  25/50 steps  182.4 samples/s (predicted 189.1)  loss=2.31  ETA 0:01:08</pre>
 */
public final class ProgressLine {
    private static final int WIDTH = 20;
    /** The most metrics on the line. */
    static final int METRICS = 3;

    private ProgressLine() {
    }

    public static String of(JsonNode job) {
        return of(job, System.currentTimeMillis());
    }

    /** The line at {@code nowMs}. */
    public static String of(JsonNode job, long nowMs) {
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
        b.append(metrics(job.path("training").path("metrics")));
        double rate = anyMeasured && measured > 0 ? measured : predicted;
        long batch = job.path("spec").path("globalBatch").asLong(0);
        boolean going = state.equals("RUNNING") || state.equals("PLACED"); // a finished job has no time left
        JsonNode end = job.path("training").path("estimatedEndAt");
        if (going && end.isTextual()) {
            b.append("  ETA ").append(duration(Math.max(0, (Instant.parse(end.asText()).toEpochMilli() - nowMs + 999) / 1000)));
        } else if (going && total > step && rate > 0 && batch > 0) {
            b.append("  ETA ").append(duration((long) Math.ceil((total - step) * batch / rate)));
        }
        return b.toString();
    }

    /** The latest metrics, losses first, then by name; at most {@link #METRICS}. */
    static String metrics(JsonNode metrics) {
        List<String> names = new ArrayList<>();
        metrics.fieldNames().forEachRemaining(names::add);
        names.sort(Comparator.comparing((String n) -> !n.contains("loss")).thenComparing(n -> n));
        StringBuilder out = new StringBuilder();
        for (String n : names.subList(0, Math.min(METRICS, names.size()))) {
            out.append("  ").append(Table.clean(n)).append('=').append(number(metrics.get(n).asDouble()));
        }
        return out.toString();
    }

    private static String number(double v) {
        return v != 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e6) ? String.format(Locale.ROOT, "%.3g", v)
                : String.format(Locale.ROOT, "%.4g", v);
    }

    /** {@code H:MM:SS}. */
    public static String duration(long seconds) {
        return String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
    }
}
