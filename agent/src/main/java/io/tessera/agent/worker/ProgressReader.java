package io.tessera.agent.worker;

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
 * measured throughput). Reads at most the last 16 KiB; never throws.
 */
public final class ProgressReader {
    private static final Pattern LINE = Pattern.compile(
            "TESSERA_PROGRESS step=(\\d{1,18})(?: total=(\\d{1,18}))?(?:.*? samples_per_sec=(\\d{1,12}(?:\\.\\d{1,6})?))?");
    private static final int TAIL = 16 * 1024;

    private ProgressReader() {
    }

    /** Step, total and measured samples/s (the last two may be null). */
    public record Progress(long step, Long total, Double samplesPerSec) {
    }

    public static Optional<Progress> latest(Path log) {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long start = Math.max(0, f.length() - TAIL);
            byte[] buf = new byte[(int) (f.length() - start)];
            f.seek(start);
            f.readFully(buf);
            Matcher m = LINE.matcher(new String(buf, StandardCharsets.UTF_8));
            Progress last = null;
            while (m.find()) {
                last = new Progress(Long.parseLong(m.group(1)), m.group(2) == null ? null : Long.parseLong(m.group(2)),
                        m.group(3) == null ? null : Double.valueOf(m.group(3)));
            }
            return Optional.ofNullable(last);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
