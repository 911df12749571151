package io.tessera.scheduler.state.hazelcast;

import com.hazelcast.map.IMap;
import io.tessera.scheduler.model.ThroughputProfile;
import io.tessera.scheduler.state.Codec;
import io.tessera.scheduler.state.ProfileStore;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The profile port over a Hazelcast map of JSON values (written through to the database like the rest). */
final class HazelcastProfileStore implements ProfileStore {
    private final IMap<String, String> map;

    HazelcastProfileStore(IMap<String, String> map) {
        this.map = map;
    }

    @Override
    public Map<String, ThroughputProfile> all() {
        Map<String, ThroughputProfile> out = new TreeMap<>();
        map.forEach((k, json) -> out.put(k, Codec.decode(json, ThroughputProfile.class)));
        return out;
    }

    @Override
    public Optional<ThroughputProfile> get(String key) {
        return Optional.ofNullable(Codec.decode(map.get(key), ThroughputProfile.class));
    }

    @Override
    public void put(ThroughputProfile profile) {
        map.set(profile.key(), Codec.encode(profile));
    }

    @Override
    public boolean delete(String key) {
        return map.remove(key) != null;
    }
}
