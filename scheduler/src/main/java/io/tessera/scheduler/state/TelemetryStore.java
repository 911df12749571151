package io.tessera.scheduler.state;

import io.tessera.scheduler.model.FleetUsage;
import io.tessera.scheduler.model.JobTelemetry;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * Where each job's training curve ({@link JobTelemetry}) lives while the job is in hot state:
 * durable in Hazelcast (written through to the database), in memory for tests and the simulator.
 * Written by whichever member hears an agent's heartbeat, as the shard reports are; the history
 * takes a finished job's curve with it ({@link JobHistory#addTelemetry}). It also keeps the fleet's
 * use per vendor over time ({@link FleetUsage}), which only the leader writes, through its fenced
 * commit ({@link Change.FleetSample}).
 */
public interface TelemetryStore {
    Optional<JobTelemetry> get(String jobId);

    /** Replaces the job's series with {@code change} of it (of an empty one when it has none), atomically. */
    void update(String jobId, UnaryOperator<JobTelemetry> change);

    /** Forgets the job's series. */
    void delete(String jobId);

    /** The fleet's use over time (empty before the first sample). */
    FleetUsage fleet();

    /** Replaces the fleet's series with {@code change} of it, atomically. */
    void updateFleet(UnaryOperator<FleetUsage> change);

    /** A store in memory. */
    static TelemetryStore inMemory() {
        Map<String, JobTelemetry> map = new ConcurrentHashMap<>();
        AtomicReference<FleetUsage> fleet = new AtomicReference<>(FleetUsage.empty());
        return new TelemetryStore() {
            @Override
            public Optional<JobTelemetry> get(String jobId) {
                return Optional.ofNullable(map.get(jobId));
            }

            @Override
            public void update(String jobId, UnaryOperator<JobTelemetry> change) {
                map.compute(jobId, (k, old) -> change.apply(old == null ? JobTelemetry.empty(jobId) : old));
            }

            @Override
            public void delete(String jobId) {
                map.remove(jobId);
            }

            @Override
            public FleetUsage fleet() {
                return fleet.get();
            }

            @Override
            public void updateFleet(UnaryOperator<FleetUsage> change) {
                fleet.updateAndGet(change);
            }
        };
    }
}
