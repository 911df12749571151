package io.tessera.scheduler.state.hazelcast;

import com.hazelcast.map.IMap;
import io.tessera.scheduler.state.Codec;
import io.tessera.scheduler.state.UsageLedger;
import java.util.Optional;

/** {@link UsageLedger} on one Hazelcast map (not written through: it is counted again when lost). */
final class HazelcastUsageLedger implements UsageLedger {
    private final IMap<String, String> map;

    HazelcastUsageLedger(IMap<String, String> map) {
        this.map = map;
    }

    @Override
    public Optional<Entry> get(String user) {
        return Optional.ofNullable(Codec.decode(map.get(user), Entry.class));
    }

    @Override
    public void put(String user, Entry entry) {
        map.set(user, Codec.encode(entry));
    }
}
