package io.tessera.scheduler.state;

import io.tessera.scheduler.model.NodeRecord;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The registered nodes and when each was last heard from: what the agent API writes (each agent
 * only its own node). The loop writes a node only through the fenced {@link PlanApplier} (a node
 * declared lost). Blocking, thread-safe.
 */
public interface NodeStore {
    Optional<NodeRecord> node(String name);

    Collection<NodeRecord> nodes();

    /** When each node was last heard from (epoch millis), by name: small values, for liveness and metrics. */
    Map<String, Long> heardTimes();

    /** How many nodes are registered, in any state; cheap. */
    int nodeCount();

    /**
     * Records that {@code name} was heard from at {@code nowMs}, without rewriting its record: a
     * heartbeat that changes nothing else costs one small, memory-only write. Every node read
     * (and the {@code old} value {@link #updateNode} passes on) carries the latest such time.
     */
    void touchNode(String name, long nowMs);

    /** Applies {@code change} to the node's record (empty if new) atomically; a null result deletes nothing and writes nothing. */
    Optional<NodeRecord> updateNode(String name, Function<Optional<NodeRecord>, NodeRecord> change);
}
