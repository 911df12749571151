package io.tessera.scheduler.limits;

import io.tessera.config.LimitsConfig;
import java.util.Collection;

/**
 * Per-user limits on live jobs: how many one user may have queued or running, and how many bytes
 * of spec they may keep stored. Pure. The check runs before a job is stored; two submissions
 * racing on two members may both pass, so a user can exceed a limit by at most one job per member.
 */
public final class UserLimits {
    /** What one of the user's live jobs weighs. */
    public record Usage(int jobs, long specBytes) {
    }

    private UserLimits() {
    }

    /** Sums {@code live} (the sizes of a user's live job specs). */
    public static Usage of(Collection<Long> live) {
        return new Usage(live.size(), live.stream().mapToLong(Long::longValue).sum());
    }

    /** @throws TooManyRequests when one more job of {@code specBytes} would pass a limit */
    public static void check(String user, Usage usage, long specBytes, LimitsConfig limits) {
        if (usage.jobs() + 1 > limits.maxQueuedJobsPerUser()) {
            throw new TooManyRequests(user + " already has " + usage.jobs() + " live jobs; the limit is "
                    + limits.maxQueuedJobsPerUser() + " (limits.maxQueuedJobsPerUser)", 30);
        }
        if (usage.specBytes() + specBytes > limits.maxSpecBytesPerUser()) {
            throw new TooManyRequests(user + "'s live jobs would hold " + (usage.specBytes() + specBytes)
                    + " bytes of spec; the limit is " + limits.maxSpecBytesPerUser() + " (limits.maxSpecBytesPerUser)", 30);
        }
    }
}
