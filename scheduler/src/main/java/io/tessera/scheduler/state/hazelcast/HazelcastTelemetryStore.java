package io.tessera.scheduler.state.hazelcast;

import com.hazelcast.map.IMap;
import io.tessera.scheduler.model.JobTelemetry;
import io.tessera.scheduler.state.Codec;
import io.tessera.scheduler.state.TelemetryStore;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The telemetry port over a Hazelcast map of JSON values (written through to the database like the
 * rest). Updates are optimistic compare-and-set loops: agents of one job's shards on several nodes
 * heartbeat through several members at once, and none of their points is lost.
 */
final class HazelcastTelemetryStore implements TelemetryStore {
    private final IMap<String, String> map;

    HazelcastTelemetryStore(IMap<String, String> map) {
        this.map = map;
    }

    @Override
    public Optional<JobTelemetry> get(String jobId) {
        return Optional.ofNullable(Codec.decode(map.get(jobId), JobTelemetry.class));
    }

    @Override
    public void update(String jobId, UnaryOperator<JobTelemetry> change) {
        while (true) {
            String old = map.get(jobId);
            JobTelemetry current = old == null ? JobTelemetry.empty(jobId) : Codec.decode(old, JobTelemetry.class);
            String next = Codec.encode(change.apply(current));
            if (old == null ? map.putIfAbsent(jobId, next) == null : map.replace(jobId, old, next)) {
                return;
            }
        }
    }

    @Override
    public void delete(String jobId) {
        map.delete(jobId);
    }
}
