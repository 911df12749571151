package io.tessera.scheduler.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobTelemetry;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A job's training curve as {@code GET /v1/jobs/{id}/metrics} returns it: its points oldest first
 * (times as ISO-8601), each with the step, the measured samples/s in all and per vendor, what the
 * scheduler predicted then, and the named metrics; and the spacing the series is kept at now.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record TelemetryView(String jobId, String state, long spacingMs, List<Point> points) {
    /** One moment of the job. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Point(String at, int attempt, Long step, Double samplesPerSec, Map<String, Double> samplesPerSecByVendor,
                 Double predictedSamplesPerSec, Map<String, Double> metrics) {
    }

    static TelemetryView of(JobRecord job, JobTelemetry t) {
        return new TelemetryView(job.id(), job.state().name(), t.spacingMs(), t.points().stream()
                .map(p -> new Point(Instant.ofEpochMilli(p.atMs()).toString(), p.attempt(), p.step(), p.samplesPerSec(),
                        p.samplesPerSecByVendor(), p.predictedSamplesPerSec(), p.metrics())).toList());
    }
}
