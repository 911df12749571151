package io.tessera.agent.worker;

import java.util.ArrayDeque;
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
 * Finds a worker's latest progress in the tail of its log: the last line containing
 * {@code TESSERA_PROGRESS step=N total=M}, optionally with {@code samples_per_sec=X} (this shard's
 * measured throughput: the median of the last {@link #SMOOTHING_STEPS} steps' figures under the same split, so
 * one slow step does not move it) and {@code split=V} (the batch split version it runs), and the last {@code TESSERA_CHECKPOINT step=N} line (a checkpoint the worker
 * wrote and can resume from). Reads at most the last 16 KiB; never throws.
 */
public final class ProgressReader {
    private static final Pattern LINE = Pattern.compile(
            "TESSERA_PROGRESS step=(\\d{1,18})(?: total=(\\d{1,18}))?(?:.*? samples_per_sec=(\\d{1,12}(?:\\.\\d{1,6})?))?");
    private static final Pattern SPLIT = Pattern.compile(" split=(\\d{1,9})");
    private static final Pattern CHECKPOINT = Pattern.compile("TESSERA_CHECKPOINT step=(\\d{1,18})");
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

    /** Step, total and measured samples/s (the last two may be null), the last checkpoint step seen, and the split (or null). */
    public record Progress(Long step, Long total, Double samplesPerSec, Long checkpoint, Integer split) {
        public Progress(Long step, Long total, Double samplesPerSec, Long checkpoint) {
            this(step, total, samplesPerSec, checkpoint, null);
        }
    }

    public static Optional<Progress> latest(Path log) {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long start = Math.max(0, f.length() - TAIL);
            byte[] buf = new byte[(int) (f.length() - start)];
            f.seek(start);
            f.readFully(buf);
            String tail = new String(buf, StandardCharsets.UTF_8);
            Matcher m = LINE.matcher(tail);
            Progress last = null;
            ArrayDeque<Double> recent = new ArrayDeque<>();
            while (m.find()) {
                int end = tail.indexOf('\n', m.end());
                Matcher split = SPLIT.matcher(tail.substring(m.start(), end < 0 ? tail.length() : end));
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
                last = new Progress(Long.parseLong(m.group(1)), m.group(2) == null ? null : Long.parseLong(m.group(2)),
                        recent.isEmpty() ? null : median(recent), null, version);
            }
            Long checkpoint = null;
            for (Matcher c = CHECKPOINT.matcher(tail); c.find(); ) {
                checkpoint = Long.parseLong(c.group(1));
            }
            if (checkpoint == null) {
                return Optional.ofNullable(last);
            }
            return Optional.of(last == null ? new Progress(null, null, null, checkpoint)
                    : new Progress(last.step(), last.total(), last.samplesPerSec(), checkpoint, last.split()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
