package io.tessera.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a job document's queueing and start fields into {@link JobSpec.Scheduling}: the
 * {@code scheduling: {steps, preemptible, restartCostSec}} mapping, and the top-level {@code allowUnschedulable},
 * {@code resumeFrom}, {@code profileKey} and {@code recovery: {processRestarts, shardReplacements}}. Problems go to the {@link FieldReader} with their field path.
 */
final class SchedulingParser {
    /** Job ids as the scheduler makes them. */
    private static final Pattern JOB_ID = Pattern.compile("job-[a-z0-9]{1,40}");
    /** Throughput-profile keys, as the job name rules allow. */
    private static final Pattern PROFILE_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private SchedulingParser() {
    }

    static JobSpec.Scheduling parse(FieldReader r, JsonNode doc) {
        Long steps = null;
        Boolean preemptible = null;
        Double restartCostSec = null;
        Optional<JsonNode> n = r.object(doc, "", "scheduling", false);
        if (n.isPresent()) {
            r.rejectUnknown(n.get(), "scheduling", Set.of("steps", "preemptible", "restartCostSec"));
            steps = r.integer(n.get(), "scheduling", "steps", false, 1, 1L << 40).orElse(null);
            preemptible = bool(r, n.get(), "scheduling.", "preemptible");
            restartCostSec = r.number(n.get(), "scheduling", "restartCostSec", false, 0, 86_400).orElse(null);
        }
        Boolean allow = bool(r, doc, "", "allowUnschedulable");
        String resumeFrom = r.string(doc, "", "resumeFrom", false, 64).orElse(null);
        if (resumeFrom != null && !JOB_ID.matcher(resumeFrom).matches()) {
            r.error("resumeFrom", "must be a job id such as job-8xrd76k9itq9");
        }
        String profileKey = r.string(doc, "", "profileKey", false, 128).orElse(null);
        if (profileKey != null && !PROFILE_KEY.matcher(profileKey).matches()) {
            r.error("profileKey", "must be letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return new JobSpec.Scheduling(steps, preemptible, allow, resumeFrom, profileKey, restartCostSec, recovery(r, doc));
    }

    /** {@code recovery: {processRestarts, shardReplacements}}; null when absent. */
    private static JobSpec.Recovery recovery(FieldReader r, JsonNode doc) {
        Optional<JsonNode> n = r.object(doc, "", "recovery", false);
        if (n.isEmpty()) {
            return null;
        }
        r.rejectUnknown(n.get(), "recovery", Set.of("processRestarts", "shardReplacements"));
        long restarts = r.integer(n.get(), "recovery", "processRestarts", false, 0, 100).orElse(0L);
        long replacements = r.integer(n.get(), "recovery", "shardReplacements", false, 0, 100).orElse(0L);
        return new JobSpec.Recovery((int) restarts, (int) replacements);
    }

    private static Boolean bool(FieldReader r, JsonNode parent, String path, String name) {
        JsonNode p = parent.get(name);
        if (p == null || p.isNull()) {
            return null;
        }
        if (!p.isBoolean()) {
            r.error(path + name, "must be true or false, got " + FieldReader.kind(p));
            return null;
        }
        return p.booleanValue();
    }
}
