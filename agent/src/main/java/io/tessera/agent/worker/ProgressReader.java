package io.tessera.agent.worker;

import io.tessera.config.wire.ShardReport;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Collection;
import java.util.Objects;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds a worker's latest progress in the tail of its log (also in the formats of
 * {@link TrainingLogLine}: named metrics, Hugging Face Trainer's dicts, tqdm bars): the last line containing
 * {@code TESSERA_PROGRESS step=N total=M}, optionally with {@code samples_per_sec=X} (this shard's
 * measured throughput: the median of the last {@link #SMOOTHING_STEPS} steps' figures under the same split, so
 * one slow step does not move it) and {@code split=V} (the batch split version it runs), and the last {@code TESSERA_CHECKPOINT step=N} line (a checkpoint the worker
 * wrote and can resume from; {@code seconds=S} after it says how long the write took). Reads at most the last 16 KiB; never throws.
 */
public final class ProgressReader {
    private static final Pattern LINE = Pattern.compile(
            "TESSERA_PROGRESS step=(\\d{1,18})(?: total=(\\d{1,18}))?(?:.*? samples_per_sec=(\\d{1,12}(?:\\.\\d{1,6})?))?");
    private static final Pattern SPLIT = Pattern.compile(" split=(\\d{1,9})");
    private static final Pattern CHECKPOINT = Pattern.compile(
            "TESSERA_CHECKPOINT step=(\\d{1,18})(?: seconds=(\\d{1,9}(?:\\.\\d{1,6})?))?");
    private static final int TAIL = 16 * 1024;
    /** The measured samples/s reported is the median over this many of the latest steps of the current split. */
    public static final int SMOOTHING_STEPS = 8;

    private static double median(Collection<Double> xs) {
        double[] sorted = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private ProgressReader() {
    }

    /**
     * Step, total and measured samples/s (the last two may be null), the last checkpoint step seen,
     * the split (or null), and the latest named metrics (empty: none).
     */
    public record Progress(Long step, Long total, Double samplesPerSec, Long checkpoint, Integer split,
                           Map<String, Double> metrics, Double checkpointSec) {
        public Progress {
            metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
        }

        public Progress(Long step, Long total, Double samplesPerSec, Long checkpoint, Integer split,
                        Map<String, Double> metrics) {
            this(step, total, samplesPerSec, checkpoint, split, metrics, null);
        }

        public Progress(Long step, Long total, Double samplesPerSec, Long checkpoint) {
            this(step, total, samplesPerSec, checkpoint, null, Map.of());
        }

        /**
         * As the shard report carries it, with {@code checkpoint} the latest checkpoint the agent has seen
         * and {@code seconds} how long the latest one that said so took to write.
         */
        public ShardReport.Progress toReport(Long checkpointStep, Double seconds) {
            return new ShardReport.Progress(step, total, samplesPerSec, checkpointStep, split, metrics, seconds);
        }
    }

    public static Optional<Progress> latest(Path log) {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long start = Math.max(0, f.length() - TAIL);
            byte[] buf = new byte[(int) (f.length() - start)];
            f.seek(start);
            f.readFully(buf);
            return read(new String(buf, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The progress in {@code tail}: Tessera's own lines win for the step, total, rate and split; a
     * tqdm bar's step and total count when there are none; metrics come from every format read
     * ({@link TrainingLogLine}), the latest value of each name winning. Lines end at {@code \n} or
     * at tqdm's {@code \r}.
     */
    static Optional<Progress> read(String tail) {
        Progress last = null;
        ArrayDeque<Double> recent = new ArrayDeque<>();
        Map<String, Double> metrics = new LinkedHashMap<>();
        Long barStep = null;
        Long barTotal = null;
        Long checkpoint = null;
        Double checkpointSec = null;
        for (String line : tail.split("[\r\n]+")) {
            Matcher m = LINE.matcher(line);
            if (m.find()) {
                last = own(m, line, last, recent);
            }
            Optional<TrainingLogLine> parsed = TrainingLogLine.parse(line);
            if (parsed.isPresent()) {
                parsed.get().metrics().forEach((k, v) -> {
                    if (metrics.containsKey(k) || metrics.size() < ShardReport.Progress.MAX_METRICS) {
                        metrics.put(k, v);
                    }
                });
                if (parsed.get().step() != null) {
                    barStep = parsed.get().step();
                    barTotal = parsed.get().total();
                }
            }
            Matcher c = CHECKPOINT.matcher(line);
            if (c.find()) {
                checkpoint = Long.parseLong(c.group(1));
                checkpointSec = c.group(2) == null ? checkpointSec : Double.valueOf(c.group(2));
            }
        }
        if (last == null && barStep == null && checkpoint == null && metrics.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(last != null
                ? new Progress(last.step(), last.total(), last.samplesPerSec(), checkpoint, last.split(), metrics,
                checkpointSec)
                : new Progress(barStep, barTotal, null, checkpoint, null, metrics, checkpointSec));
    }

    /** One of Tessera's own progress lines, after {@code last}: the smoothed rate counts only the current split's steps. */
    private static Progress own(Matcher m, String line, Progress last, ArrayDeque<Double> recent) {
        Matcher split = SPLIT.matcher(line);
        Integer version = split.find() ? Integer.valueOf(split.group(1)) : null;
        if (last != null && !Objects.equals(last.split(), version)) {
            recent.clear(); // a new split: only its own steps count
        }
        if (m.group(3) != null) {
            recent.addLast(Double.valueOf(m.group(3)));
            if (recent.size() > SMOOTHING_STEPS) {
                recent.removeFirst();
            }
        }
        return new Progress(Long.parseLong(m.group(1)), m.group(2) == null ? null : Long.parseLong(m.group(2)),
                recent.isEmpty() ? null : median(recent), null, version, Map.of());
    }
}
