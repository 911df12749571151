package io.tessera.scheduler.api;

import io.tessera.scheduler.model.EventType;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import java.time.Instant;
import java.util.Set;

/**
 * A job's timeline, read from its events: it started when its first attempt began running (the
 * first {@code RUNNING} event), and finished at its terminal event. The duration is from start to
 * finish, or to now while it runs. Pure.
 */
final class JobTimes {
    private static final Set<EventType> TERMINAL = Set.of(EventType.SUCCEEDED, EventType.FAILED, EventType.CANCELLED);

    private JobTimes() {
    }

    static JobView.Timeline of(JobRecord job, long nowMs) {
        String started = null;
        String finished = null;
        for (JobEvent e : job.events()) {
            if (started == null && e.type() == EventType.RUNNING) {
                started = e.at();
            }
            if (job.state().terminal() && TERMINAL.contains(e.type())) {
                finished = e.at();
            }
        }
        Double duration = null;
        if (started != null) {
            long end = finished != null ? Instant.parse(finished).toEpochMilli() : job.state().terminal() ? -1 : nowMs;
            duration = end < 0 ? null : Math.max(0, end - Instant.parse(started).toEpochMilli()) / 1000.0;
        }
        return new JobView.Timeline(job.submittedAt(), started, finished, duration);
    }
}
