package io.tessera.scheduler.state;

import java.util.concurrent.ConcurrentHashMap;
import java.util.TreeMap;
import io.tessera.scheduler.model.ThroughputProfile;
import java.util.Map;
import java.util.Optional;

/**
 * Where learned throughput profiles live: durable with the rest of the cluster state in
 * Hazelcast (written through to the database), in memory for tests and the simulator.
 */
public interface ProfileStore {
    /** Every profile, by key. */
    Map<String, ThroughputProfile> all();

    Optional<ThroughputProfile> get(String key);

    /** Creates or replaces a profile. */
    void put(ThroughputProfile profile);

    /** Forgets a profile; false if there was none. */
    boolean delete(String key);

    /** A store in memory. */
    static ProfileStore inMemory() {
        Map<String, ThroughputProfile> map = new ConcurrentHashMap<>();
        return new ProfileStore() {
            @Override
            public Map<String, ThroughputProfile> all() {
                return new TreeMap<>(map);
            }

            @Override
            public Optional<ThroughputProfile> get(String key) {
                return Optional.ofNullable(map.get(key));
            }

            @Override
            public void put(ThroughputProfile profile) {
                map.put(profile.key(), profile);
            }

            @Override
            public boolean delete(String key) {
                return map.remove(key) != null;
            }
        };
    }
}
