package io.tessera.agent.worker;

import java.nio.file.attribute.PosixFilePermissions;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Reading and rotating worker logs. A worker writes its log through an append-mode descriptor, so
 * rotation is copy-then-truncate: the log is copied to {@code NAME.1} (replacing the previous
 * one) and emptied, and the worker's next write lands at the new end. One attempt thus keeps at
 * most about twice the cap. Never throws on a missing file.
 */
public final class LogFiles {
    /** The most of a file's end read to find its last lines. */
    private static final int TAIL_WINDOW = 64 * 1024;

    private LogFiles() {
    }

    /** The last {@code n} lines of {@code log} (from at most its last 64 KiB), oldest first; empty if unreadable. */
    public static List<String> lastLines(Path log, int n) {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long start = Math.max(0, f.length() - TAIL_WINDOW);
            byte[] buf = new byte[(int) (f.length() - start)];
            f.seek(start);
            f.readFully(buf);
            Deque<String> lines = new ArrayDeque<>();
            String text = new String(buf, StandardCharsets.UTF_8);
            String[] split = text.split("\n", -1);
            int from = start > 0 ? 1 : 0; // the first piece may be the end of a cut line
            int to = split.length - (text.endsWith("\n") ? 1 : 0);
            for (int i = Math.max(from, to - n); i < to; i++) {
                lines.add(split[i].length() > 1000 ? split[i].substring(0, 1000) + "..." : split[i]);
            }
            return List.copyOf(lines);
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Rotates {@code log} when it is larger than {@code maxBytes}; true if it did. */
    public static boolean rotateIfOver(Path log, long maxBytes) {
        try {
            if (!Files.isRegularFile(log) || Files.size(log) <= maxBytes) {
                return false;
            }
            Path old = log.resolveSibling(log.getFileName() + ".1");
            Files.copy(log, old, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(old, PosixFilePermissions.fromString("rw-------"));
            try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "rw")) {
                f.setLength(0);
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
