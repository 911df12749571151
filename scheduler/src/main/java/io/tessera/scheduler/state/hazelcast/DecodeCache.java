package io.tessera.scheduler.state.hazelcast;

import io.tessera.scheduler.state.Codec;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers the decoded record of each key's last-seen JSON, so reading an unchanged entry again
 * costs a string comparison instead of a JSON decode. Reads stay exact: the JSON always comes
 * from the map, and a record is reused only when it was decoded from that very text. Thread-safe.
 */
final class DecodeCache<V> {
    private record Entry<V>(String json, V value) {
    }

    private final Class<V> type;
    private final Map<String, Entry<V>> entries = new ConcurrentHashMap<>();

    DecodeCache(Class<V> type) {
        this.type = type;
    }

    /** The record {@code json} (the current value of {@code key}) decodes to; null for null. */
    V decode(String key, String json) {
        if (json == null) {
            entries.remove(key);
            return null;
        }
        Entry<V> e = entries.get(key);
        if (e != null && e.json().equals(json)) {
            return e.value();
        }
        V value = Codec.decode(json, type);
        entries.put(key, new Entry<>(json, value));
        return value;
    }

    /** Forgets keys that are gone, once the cache holds more than twice the live ones. */
    void trim(Set<String> live) {
        if (entries.size() > 2 * live.size() + 64) {
            entries.keySet().retainAll(live);
        }
    }
}
