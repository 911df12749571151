package io.tessera.agent.logs;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * Copies a log to a client: all of it (the rotated part first), or what is appended from an
 * offset on while its worker still runs. A shrink means the log was rotated: following goes on
 * from its new start. Following ends when the worker has ended and the log is read to its end,
 * when the client goes away (a write fails), or after {@link #MAX_FOLLOW_MS}.
 */
final class LogFollower {
    static final long MAX_FOLLOW_MS = 6 * 3600_000L;
    private static final long POLL_MS = 200;

    /** Writes the rotated part and the log; returns the log's size as read. */
    long copyAll(Path log, OutputStream out) throws IOException {
        Path rotated = log.resolveSibling(log.getFileName() + ".1");
        if (Files.isRegularFile(rotated)) {
            Files.copy(rotated, out);
        }
        return copyFrom(log, 0, out);
    }

    void follow(Path log, long offset, OutputStream out, BooleanSupplier writing) throws IOException {
        long deadline = System.currentTimeMillis() + MAX_FOLLOW_MS;
        long at = offset;
        while (System.currentTimeMillis() < deadline) {
            boolean stillWriting = writing.getAsBoolean();
            long size = Files.size(log);
            if (size < at) {
                at = 0; // rotated
            }
            if (size > at) {
                at = copyFrom(log, at, out);
                out.flush();
            } else if (!stillWriting) {
                return;
            } else {
                pause();
            }
        }
    }

    private static long copyFrom(Path log, long from, OutputStream out) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long end = f.length();
            f.seek(Math.min(from, end));
            byte[] buf = new byte[64 * 1024];
            long at = f.getFilePointer();
            while (at < end) {
                int n = f.read(buf, 0, (int) Math.min(buf.length, end - at));
                if (n < 0) {
                    break;
                }
                out.write(buf, 0, n);
                at += n;
            }
            return at;
        }
    }

    private static void pause() throws IOException {
        try {
            Thread.sleep(POLL_MS); // polling a file for appended bytes; nothing to wait on
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
