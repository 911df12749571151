package io.tessera.config.wire;

import java.util.List;

/**
 * The complete set of shards a node should be running now. Level-triggered: the agent starts
 * what is missing and kills what is not listed, so cancels and gang restarts need no separate message.
 *
 * @param node    the node
 * @param version increases with every change; an agent long-polls for a version other than its own
 * @param shards  the shards to run
 */
public record AssignmentSet(String node, long version, List<ShardAssignment> shards) {
    public AssignmentSet {
        shards = shards == null ? List.of() : List.copyOf(shards);
    }

    public static AssignmentSet empty(String node) {
        return new AssignmentSet(node, 0, List.of());
    }
}
