package io.tessera.scheduler.state.hazelcast;

import io.tessera.scheduler.state.Codec;
import com.hazelcast.map.IMap;
import io.tessera.config.QueueSpec;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The queue definitions (durable, JSON values) and the reserved jobs' predicted starts (memory
 * only) in Hazelcast; the part of {@link HazelcastClusterStore} that serves queues.
 */
final class HazelcastQueueMaps {
    private final IMap<String, String> queues;
    private final IMap<String, String> estimates;

    HazelcastQueueMaps(IMap<String, String> queues, IMap<String, String> estimates) {
        this.queues = queues;
        this.estimates = estimates;
    }

    Map<String, QueueSpec> queues() {
        Map<String, QueueSpec> out = new TreeMap<>();
        queues.forEach((name, json) -> out.put(name, Codec.decode(json, QueueSpec.class)));
        return out;
    }

    Optional<QueueSpec> queue(String name) {
        return Optional.ofNullable(Codec.decode(queues.get(name), QueueSpec.class));
    }

    void put(QueueSpec queue) {
        queues.set(queue.name(), Codec.encode(queue));
    }

    boolean delete(String name) {
        return queues.remove(name) != null;
    }

    Optional<String> estimatedStart(String jobId) {
        return Optional.ofNullable(estimates.get(jobId));
    }
}
