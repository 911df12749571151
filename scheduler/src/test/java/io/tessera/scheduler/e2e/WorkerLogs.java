package io.tessera.scheduler.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads numbers back out of worker logs written by the example worker. */
final class WorkerLogs {
    private static final Pattern PROGRESS = Pattern.compile("TESSERA_PROGRESS step=(\\d+)");
    private static final Pattern CHECKPOINT = Pattern.compile("TESSERA_CHECKPOINT step=(\\d+)");
    private static final Pattern RESUMED = Pattern.compile("resumed from checkpoint at step (\\d+)");

    private WorkerLogs() {
    }

    /** The last training step the log reports. */
    static OptionalLong lastStep(Path log) {
        return last(log, PROGRESS);
    }

    /** The last checkpoint the log says was written. */
    static OptionalLong lastCheckpoint(Path log) {
        return last(log, CHECKPOINT);
    }

    /** The step the last resume in the log started from. */
    static OptionalLong lastResume(Path log) {
        return last(log, RESUMED);
    }

    private static OptionalLong last(Path log, Pattern p) {
        try {
            if (!Files.exists(log)) {
                return OptionalLong.empty();
            }
            Matcher m = p.matcher(Files.readString(log));
            OptionalLong out = OptionalLong.empty();
            while (m.find()) {
                out = OptionalLong.of(Long.parseLong(m.group(1)));
            }
            return out;
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }
}
