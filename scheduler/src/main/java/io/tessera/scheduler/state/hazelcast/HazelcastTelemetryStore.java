package io.tessera.scheduler.state.hazelcast;

import com.hazelcast.map.IMap;
import io.tessera.scheduler.model.FleetUsage;
import io.tessera.scheduler.model.JobTelemetry;
import io.tessera.scheduler.state.Codec;
import io.tessera.scheduler.state.TelemetryStore;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The telemetry port over Hazelcast maps of JSON values (written through to the database like the
 * rest): one entry per job's curve, and one for the fleet's use. Updates are optimistic
 * compare-and-set loops: agents of one job's shards on several nodes heartbeat through several
 * members at once, and none of their points is lost.
 */
final class HazelcastTelemetryStore implements TelemetryStore {
    /** The fleet series' one key in its map. */
    static final String FLEET = "fleet";
    private final IMap<String, String> map;
    private final IMap<String, String> fleet;

    HazelcastTelemetryStore(IMap<String, String> map, IMap<String, String> fleet) {
        this.map = map;
        this.fleet = fleet;
    }

    @Override
    public Optional<JobTelemetry> get(String jobId) {
        return Optional.ofNullable(Codec.decode(map.get(jobId), JobTelemetry.class));
    }

    @Override
    public void update(String jobId, UnaryOperator<JobTelemetry> change) {
        update(map, jobId, JobTelemetry.class, () -> JobTelemetry.empty(jobId), change);
    }

    @Override
    public void delete(String jobId) {
        map.delete(jobId);
    }

    @Override
    public FleetUsage fleet() {
        String json = fleet.get(FLEET);
        return json == null ? FleetUsage.empty() : Codec.decode(json, FleetUsage.class);
    }

    @Override
    public void updateFleet(UnaryOperator<FleetUsage> change) {
        update(fleet, FLEET, FleetUsage.class, FleetUsage::empty, change);
    }

    private static <T> void update(IMap<String, String> in, String key, Class<T> type, Supplier<T> empty,
                                   UnaryOperator<T> change) {
        while (true) {
            String old = in.get(key);
            T current = old == null ? empty.get() : Codec.decode(old, type);
            String next = Codec.encode(change.apply(current));
            if (old == null ? in.putIfAbsent(key, next) == null : in.replace(key, old, next)) {
                return;
            }
        }
    }
}
